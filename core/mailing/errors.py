"""How sending an email can fail, in the dispatcher's vocabulary (core.publishing.errors).

Each is a subclass of the publishing error the dispatcher's policy already knows, so a
mail failure is retried, given up or handed to a human exactly like a post's. `code` is
the SMTP reply code when the server gave one; `str(error)` is shown to the admins.
"""

from __future__ import annotations

from core.errors import ValidationFailed
from core.publishing.errors import OutcomeUnknown, PublishRejected, TransientError


class HeaderInjection(ValidationFailed):
    """A header value held CR or LF: it could add headers or recipients. Nothing was sent."""


class MailTransient(TransientError):
    """Nothing was accepted (no connection, a 4xx, a timeout before DATA): try again later."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.code = code


class MailRejected(PublishRejected):
    """The server refused it for good (a 5xx): sending it again won't help."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.code = code


class MailOutcomeUnknown(OutcomeUnknown):
    """The connection broke after the message was handed over (during DATA): it may have
    been delivered. Never resent without a human deciding."""

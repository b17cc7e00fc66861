"""How a send can fail. The dispatcher's policy depends only on which of these it gets.

Each publisher maps its library's errors onto them; `str(error)` is the reason the
admins read in an alert, so it says what happened in plain words.
"""

from __future__ import annotations

from core.errors import CopilotError


class PublishError(CopilotError):
    """A send did not succeed."""


class RateLimited(PublishError):
    """The destination asked us to wait (Telegram's 429): nothing was sent."""

    def __init__(self, reason: str, retry_after_s: float) -> None:
        super().__init__(reason)
        self.retry_after_s = max(0.0, retry_after_s)


class TransientError(PublishError):
    """Nothing was delivered, and trying again later may work (no connection, a 5xx)."""


class OutcomeUnknown(PublishError):
    """The request may have been delivered (a read timeout): never resent without a human."""


class PublishRejected(PublishError):
    """The destination refused it for good (a bad chat id, no rights): retrying won't help."""

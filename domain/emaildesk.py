"""The email desk's vocabulary: where a customer email came from, and what became of it.

An inbound email is `received` when it was read (a reply draft follows) or `unreadable`
when it could not be (too big, malformed, no sender): recorded with the reason so a
person sees it, never dropped and never retried for ever. `automatic` when no person
wrote it (a bounce, an auto-reply, a mailing list's mail): stored and listed with the
reason, never answered (RFC 3834: no reply to automatic mail).
"""

from __future__ import annotations

from enum import StrEnum

# The largest mail read, whichever way it comes in; a bigger one is recorded as unreadable.
MAX_EMAIL_BYTES = 10 * 1024 * 1024


class EmailSource(StrEnum):
    API = "api"
    TELEGRAM = "telegram"
    IMAP = "imap"


class InboundStatus(StrEnum):
    RECEIVED = "received"
    UNREADABLE = "unreadable"
    AUTOMATIC = "automatic"


class AutomaticKind(StrEnum):
    """Why a mail counts as automatic."""

    BOUNCE = "bounce"  # a delivery status notification (RFC 3464) or a mailer daemon's
    AUTO_REPLY = "auto_reply"  # Auto-Submitted, X-Autoreply, Precedence: auto_reply, ...
    BULK = "bulk"  # a mailing list or bulk mail (List-Id, Precedence: bulk|list|junk)

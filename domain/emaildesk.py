"""The email desk's vocabulary: where a customer email came from, and what became of it.

An inbound email is `received` when it was read (a reply draft follows) or `unreadable`
when it could not be (too big, malformed, no sender): recorded with the reason so a
person sees it, never dropped and never retried for ever.
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

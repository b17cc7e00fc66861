"""Plain objects the intake hands around: a mail as read, and what storing it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.emaildesk.automatic import Automatic


@dataclass(frozen=True)
class Attachment:
    """Listed so a person knows it is there; its content is never read or stored."""

    name: str
    content_type: str
    size: int

    def as_json(self) -> dict[str, str | int]:
        return {"name": self.name, "content_type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class ParsedEmail:
    """A customer email, however it came in, ready to store."""

    from_address: str
    subject: str
    text: str
    from_name: str = ""
    reply_to: str | None = None
    to_addresses: tuple[str, ...] = ()
    html: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    order_number: str | None = None
    attachments: tuple[Attachment, ...] = field(default=())
    sent_at: datetime | None = None
    raw_size: int | None = None
    # Set when no person wrote it (a bounce, an auto-reply, a list): stored, never answered.
    automatic: Automatic | None = None


@dataclass(frozen=True)
class ReceivedEmail:
    """What `EmailIntake` did with one mail.

    `new` is False when the same mail was stored before (same Message-ID, or the same
    source ref): nothing was stored again and no hook ran. `unreadable_reason` is set for
    a mail recorded as unreadable, `automatic_reason` for automatic mail (no draft follows
    either).
    """

    id: int
    new: bool
    from_address: str
    subject: str
    order_number: str | None
    unreadable_reason: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # For automatic mail (no reply draft): why it counts as automatic, and what a bounce
    # did ("a delivery report: failed 5.1.1 for …; sequence email … marked bounced").
    automatic_reason: str | None = None

    @property
    def readable(self) -> bool:
        return self.unreadable_reason is None

    @property
    def answered(self) -> bool:
        """Whether a reply draft follows: a readable mail a person wrote."""
        return self.readable and self.automatic_reason is None

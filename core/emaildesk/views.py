"""A stored customer email as plain data, with its order when the orders table knows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.emaildesk.types import Attachment
from core.orders.views import OrderView
from domain.emaildesk import AutomaticKind, EmailSource, InboundStatus
from storage.models import InboundEmail


@dataclass(frozen=True)
class StoredEmail:
    id: int
    source: EmailSource
    status: InboundStatus
    unreadable_reason: str | None
    from_address: str
    from_name: str
    reply_to: str | None
    to_addresses: tuple[str, ...]
    subject: str
    # The full text as received; `text_for_prompt` is the customer's new words only.
    text: str
    text_for_prompt: str
    html: str | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    order_number: str | None
    attachments: tuple[Attachment, ...]
    sent_at: datetime | None
    received_at: datetime
    # The order's current row (looked up when read, so a re-import shows), if known.
    order: OrderView | None = None
    # Automatic mail (never answered): bounce | auto_reply | bulk, and why / what it did.
    automatic_kind: AutomaticKind | None = None
    automatic_reason: str | None = None

    @classmethod
    def from_row(cls, row: InboundEmail, order: OrderView | None) -> StoredEmail:
        return cls(
            id=row.id,
            source=EmailSource(row.source),
            status=InboundStatus(row.status),
            unreadable_reason=row.unreadable_reason,
            from_address=row.from_address,
            from_name=row.from_name,
            reply_to=row.reply_to,
            to_addresses=tuple(row.to_addresses),
            subject=row.subject,
            text=row.text,
            text_for_prompt=row.text_for_prompt,
            html=row.html,
            message_id=row.message_id,
            in_reply_to=row.in_reply_to,
            references=tuple(row.references),
            order_number=row.order_number,
            attachments=tuple(_attachment(item) for item in row.attachments),
            sent_at=row.sent_at,
            received_at=row.received_at,
            order=order,
            automatic_kind=AutomaticKind(row.automatic_kind) if row.automatic_kind else None,
            automatic_reason=row.automatic_reason,
        )

    @property
    def sender(self) -> str:
        """ "Jane Doe <jane@example.com>", or the address alone."""
        return f"{self.from_name} <{self.from_address}>" if self.from_name else self.from_address


def _attachment(item: dict[str, object]) -> Attachment:
    size = item.get("size", 0)
    return Attachment(
        name=str(item.get("name", "")),
        content_type=str(item.get("content_type", "")),
        size=size if isinstance(size, int) else 0,
    )

"""Customer emails received (by the API, Telegram or the support inbox) and the shop's orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.emaildesk import InboundStatus
from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class InboundEmail(Base):
    __tablename__ = "inbound_emails"
    # The same delivery seen twice (an IMAP UID, a Telegram message, a webhook retry)
    # is one row; so is one mail that arrives by two ways (dedupe_key, below).
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # api | telegram | imap (domain.emaildesk.EmailSource)
    source: Mapped[str] = mapped_column(String(20))
    # Where in that source: "imap://user@host/INBOX;UIDVALIDITY=1;UID=7", "chat:message", ...
    source_ref: Mapped[str | None] = mapped_column(String(500))
    # "mid:<message-id>" when the mail has one, else "sha256:<from, subject, text, date>".
    dedupe_key: Mapped[str] = mapped_column(String(600), unique=True)
    # received | unreadable | automatic (domain.emaildesk.InboundStatus)
    status: Mapped[str] = mapped_column(String(20), default=InboundStatus.RECEIVED, index=True)
    unreadable_reason: Mapped[str | None] = mapped_column(Text)
    # Automatic mail (never answered): bounce | auto_reply | bulk (domain.emaildesk.
    # AutomaticKind), and what showed it and what it did ("Bounce: 5.1.1 for x@y; ...").
    automatic_kind: Mapped[str | None] = mapped_column(String(20))
    automatic_reason: Mapped[str | None] = mapped_column(Text)
    from_address: Mapped[str] = mapped_column(String(320), default="")
    from_name: Mapped[str] = mapped_column(String(300), default="")
    reply_to: Mapped[str | None] = mapped_column(String(320))
    to_addresses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    # The full text as received (from the HTML when there is no text part) ...
    text: Mapped[str] = mapped_column(Text, default="")
    # ... and the customer's new words only: quoted replies and signatures cut, for the prompt.
    text_for_prompt: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(500))
    in_reply_to: Mapped[str | None] = mapped_column(String(500))
    references: Mapped[list[str]] = mapped_column(JSONType, default=list)
    order_number: Mapped[str | None] = mapped_column(String(64), index=True)
    # [{"name", "content_type", "size"}]: listed, never read or stored.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    raw_size: Mapped[int | None] = mapped_column(Integer)
    # The mail's Date header when it had a usable one.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Normalised: trimmed, no leading "#", upper case (core.orders.fields.order_number).
    order_number: Mapped[str] = mapped_column(String(64), unique=True)
    # The shop's own words ("shipped", "awaiting stock"): shown to the model as they are.
    status: Mapped[str] = mapped_column(String(60))
    # [{"name", "quantity"}, ...]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    customer_email: Mapped[str | None] = mapped_column(String(320), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

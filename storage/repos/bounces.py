"""Finding what a bounce report is about (a sequence delivery, a reply-desk reply) by the
original Message-ID, and marking a delivery bounced or delayed. The caller owns the
transaction; every move is conditional, so the same report twice changes nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.email_replies import ReplyStatus
from domain.mailing import DeliveryStatus as D
from storage.models import EmailSequence, InboundEmail, ReplyDraft, SequenceEmail
from storage.models.deliveries import EmailDelivery
from storage.repos.deliveries import update_where


@dataclass(frozen=True)
class SentDelivery:
    delivery_id: int
    recipient: str
    status: str
    sequence_name: str
    email_number: int


@dataclass(frozen=True)
class SentReply:
    draft_id: int
    email_id: int  # the customer email it answered
    to: str


async def delivery(session: AsyncSession, message_id: str) -> SentDelivery | None:
    found = (
        await session.execute(
            select(EmailDelivery.id, EmailDelivery.recipient, EmailDelivery.status,
                   EmailSequence.name, SequenceEmail.number)
            .join(SequenceEmail, SequenceEmail.id == EmailDelivery.sequence_email_id)
            .join(EmailSequence, EmailSequence.id == EmailDelivery.sequence_id)
            .where(EmailDelivery.message_id == message_id)
            .limit(1)
        )
    ).first()  # fmt: skip
    return SentDelivery(*found) if found else None


async def reply(session: AsyncSession, message_id: str) -> SentReply | None:
    found = (
        await session.execute(
            select(ReplyDraft.id, ReplyDraft.email_id, InboundEmail.from_address)
            .join(InboundEmail, InboundEmail.id == ReplyDraft.email_id)
            .where(ReplyDraft.message_id == message_id)
            .limit(1)
        )
    ).first()
    return SentReply(*found) if found else None


async def mark_reply_bounced(
    session: AsyncSession, draft_id: int, *, error: str, now: datetime
) -> bool:
    """A sent reply came back: the bounce is kept as its `error` (it stays `sent`: it did
    leave, and nothing resends it), so its card can say so."""
    statement = (
        update(ReplyDraft)
        .where(ReplyDraft.id == draft_id, ReplyDraft.status == ReplyStatus.SENT)
        .values(error=error, updated_at=now)
        .returning(ReplyDraft.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None


async def mark_bounced(
    session: AsyncSession, delivery_id: int, *, code: str, error: str, now: datetime
) -> bool:
    """sent | unknown → bounced (the report proves the server took it, and it failed)."""
    where = [EmailDelivery.id == delivery_id, EmailDelivery.status.in_((D.SENT, D.UNKNOWN))]
    values = {"status": D.BOUNCED, "bounce_status": code, "bounced_at": now, "error": error,
              "finished_at": now}  # fmt: skip
    return bool(await update_where(session, where, values))


async def note_delayed(
    session: AsyncSession, delivery_id: int, *, code: str, error: str, now: datetime
) -> bool:
    """A sent delivery the remote side is still trying: noted, still `sent`."""
    where = [EmailDelivery.id == delivery_id, EmailDelivery.status == D.SENT]
    values = {"bounce_status": code, "bounced_at": now, "error": error}
    return bool(await update_where(session, where, values))

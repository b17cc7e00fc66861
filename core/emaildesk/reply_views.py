"""A reply draft as the rest of the app sees it: the draft and the email it answers.

Also how one is read from storage, and what a tap that lost a race is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AlreadyDecided, NotFound
from domain.email_replies import ReplyStatus, ResponseType, Tone
from storage.models import InboundEmail, Order, ReplyDraft
from storage.repos import email_replies as repo

R = ReplyStatus

# Below this the card says plainly that the model is unsure.
LOW_CONFIDENCE = 0.6


@dataclass(frozen=True)
class ReplyView:
    id: int
    email_id: int
    status: ReplyStatus
    revision: int
    # The email answered (stored data, never model text).
    from_name: str
    from_address: str
    subject: str
    # Shown when it differs from the sender; replies never go there (docs/EMAIL.md).
    reply_to: str | None
    attachments: int
    order_number: str | None
    order_status: str | None
    # The draft (None while the first one is being written).
    draft: str | None
    summary: str | None
    response_type: ResponseType | None
    tone: Tone | None
    requested_tone: Tone | None
    confidence: float | None
    needs_review: bool
    suggested_actions: tuple[str, ...]
    facts: tuple[str, ...]
    warnings: tuple[str, ...]
    edited: bool
    error: str | None
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    message_id: str | None

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE

    @classmethod
    def of(cls, row: ReplyDraft, email: InboundEmail, order: Order | None) -> ReplyView:
        return cls(
            id=row.id, email_id=row.email_id, status=ReplyStatus(row.status),
            revision=row.revision, from_name=email.from_name, from_address=email.from_address,
            subject=email.subject, reply_to=email.reply_to,
            attachments=len(email.attachments or []),
            order_number=email.order_number, order_status=order.status if order else None,
            draft=row.draft, summary=row.summary,
            response_type=ResponseType(row.response_type) if row.response_type else None,
            tone=Tone(row.tone) if row.tone else None,
            requested_tone=Tone(row.requested_tone) if row.requested_tone else None,
            confidence=row.confidence, needs_review=row.needs_review,
            suggested_actions=tuple(row.suggested_actions or ()), facts=tuple(row.facts or ()),
            warnings=tuple(row.warnings or ()), edited=row.edited, error=row.error,
            attempts=row.attempts, next_attempt_at=row.next_attempt_at, sent_at=row.sent_at,
            message_id=row.message_id,
        )  # fmt: skip


@dataclass(frozen=True)
class ReplyPage:
    items: tuple[ReplyView, ...]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


async def get_row(session: AsyncSession, reply_id: int) -> ReplyDraft:
    row = await repo.get(session, reply_id)
    if row is None:
        raise NotFound(f"Reply #{reply_id} does not exist.")
    return row


async def view_of(session: AsyncSession, row: ReplyDraft) -> ReplyView:
    email = await repo.email(session, row.email_id)
    if email is None:
        raise NotFound(f"Customer email #{row.email_id} does not exist.")
    return ReplyView.of(row, email, await repo.order(session, email.order_number))


def lost_race(row: ReplyDraft) -> AlreadyDecided:
    return AlreadyDecided(_status_line(row.id, ReplyStatus(row.status)))


def lost_race_view(view: ReplyView) -> AlreadyDecided:
    return AlreadyDecided(_status_line(view.id, view.status))


_MOVED_ON = {
    R.DRAFTING: "is being written again",
    R.APPROVED: "was already approved",
    R.SENDING: "is being sent",
    R.SENT: "was already sent",
    R.REJECTED: "was already rejected",
    R.FAILED: "could not be sent",
    R.UNKNOWN: "may have been sent (waiting for your decision)",
}


def _status_line(reply_id: int, status: ReplyStatus) -> str:
    if status in _MOVED_ON:
        return f"Reply #{reply_id} {_MOVED_ON[status]}; here is the current card."
    return f"Reply #{reply_id} changed meanwhile; here is the current card."

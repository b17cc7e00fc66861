"""The reply desk: what a person does with a reply draft, and what the cards read.

Writing the drafts is core.emaildesk.reply_drafting. A person's taps are conditional
updates at the revision their card showed: a double tap or two admins at once make one
change, and the second is told it was already done. Nothing is sent from here: approving
hands the reply to core.emaildesk.reply_sending.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.emaildesk.reply_checks import unsupported_promises
from core.emaildesk.reply_schema import MAX_DRAFT
from core.emaildesk.reply_views import (
    ReplyPage,
    ReplyView,
    get_row,
    lost_race,
    lost_race_view,
    view_of,
)
from core.errors import FeatureOff, ValidationFailed
from domain.email_replies import WAITING, ReplyStatus
from storage.models import ReplyDraft
from storage.repos import email_replies as repo

R = ReplyStatus
SENDING_OFF = "Email sending is off: set SMTP_HOST and EMAIL_FROM to send replies."


class ReplyDesk:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        sending_on: bool,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._sending_on = sending_on

    # -- a person's taps ---------------------------------------------------------------

    async def edit(self, reply_id: int, revision: int, text: str, user_id: int) -> ReplyView:
        draft = text.strip()
        if not draft:
            raise ValidationFailed(["The new reply is empty."])
        if len(draft) > MAX_DRAFT:
            raise ValidationFailed(
                [f"The reply is {len(draft)} characters; {MAX_DRAFT} is the most."]
            )
        async with self._sessions.begin() as session:
            row = await get_row(session, reply_id)
            order = await repo.order(session, await _order_number(session, row))
            warnings = unsupported_promises(draft, order.status if order else None)
            values = {"draft": draft, "edited": True, "warnings": warnings, "error": None}
            if not await repo.rewrite(session, reply_id, revision, values):
                raise lost_race(row)
        return await self.get(reply_id)

    async def approve(self, reply_id: int, revision: int, user_id: int) -> ReplyView:
        """✅ Approve & send: the reply is handed to the sender (nothing is sent here)."""
        if not self._sending_on:
            raise FeatureOff(SENDING_OFF)
        values = {"decided_by": user_id, "decided_at": self._clock.now(), "attempts": 0,
                  "next_attempt_at": None, "error": None}  # fmt: skip
        return await self._move(reply_id, revision, (R.PENDING,), R.APPROVED, values)

    async def reject(self, reply_id: int, revision: int, user_id: int) -> ReplyView:
        values = {"decided_by": user_id, "decided_at": self._clock.now()}
        # An approved reply not yet claimed for sending (waiting for another try after a
        # 4xx, say) can be called off; one being sent can't.
        waiting = (R.PENDING, R.FAILED, R.APPROVED)
        return await self._move(reply_id, revision, waiting, R.REJECTED, values)

    async def retry(self, reply_id: int, revision: int, user_id: int) -> ReplyView:
        """🔁 Retry after a refusal (5xx): the same message, with its Message-ID, again."""
        if not self._sending_on:
            raise FeatureOff(SENDING_OFF)
        values: dict[str, object] = {"attempts": 0, "next_attempt_at": None, "decided_by": user_id}
        return await self._move(reply_id, revision, (R.FAILED,), R.APPROVED, values)

    async def send_again(self, reply_id: int, revision: int, user_id: int) -> ReplyView:
        """ "Send again" on an unknown outcome: the person checked it did not arrive."""
        if not self._sending_on:
            raise FeatureOff(SENDING_OFF)
        values: dict[str, object] = {"attempts": 0, "next_attempt_at": None, "decided_by": user_id}
        return await self._move(reply_id, revision, (R.UNKNOWN,), R.APPROVED, values)

    async def confirm_sent(self, reply_id: int, revision: int, user_id: int) -> ReplyView:
        """ "It was sent" on an unknown outcome: the person saw it arrive."""
        values = {"sent_at": self._clock.now(), "decided_by": user_id, "error": None}
        return await self._move(reply_id, revision, (R.UNKNOWN,), R.SENT, values)

    async def _move(
        self,
        reply_id: int,
        revision: int,
        from_: tuple[ReplyStatus, ...],
        to: ReplyStatus,
        values: dict[str, object],
    ) -> ReplyView:
        async with self._sessions.begin() as session:
            if not await repo.move(session, reply_id, revision, from_=from_, to=to, values=values):
                raise lost_race(await get_row(session, reply_id))
        return await self.get(reply_id)

    # -- reading -----------------------------------------------------------------------

    async def get(self, reply_id: int) -> ReplyView:
        async with self._sessions() as session:
            return await view_of(session, await get_row(session, reply_id))

    async def at(self, reply_id: int, revision: int) -> ReplyView:
        """The reply if its card's revision is still current; else AlreadyDecided."""
        view = await self.get(reply_id)
        if view.revision != revision:
            raise lost_race_view(view)
        return view

    async def waiting(self, *, offset: int, limit: int) -> ReplyPage:
        """Drafts waiting for a person: pending, failed, or sent-or-not (unknown)."""
        async with self._sessions() as session:
            rows, total = await repo.waiting(session, WAITING, offset=offset, limit=limit)
            items = tuple([await view_of(session, row) for row in rows])
        return ReplyPage(items, offset, total)

    async def add_card(self, reply_id: int, chat_id: int, message_id: int) -> None:
        async with self._sessions.begin() as session:
            await repo.add_card(session, reply_id, chat_id, message_id)

    async def cards(self, reply_id: int) -> list[tuple[int, int]]:
        async with self._sessions() as session:
            return await repo.cards(session, reply_id)


async def _order_number(session: AsyncSession, row: ReplyDraft) -> str | None:
    email = await repo.email(session, row.email_id)
    return email.order_number if email else None

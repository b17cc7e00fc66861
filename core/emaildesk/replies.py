"""The reply desk: what a person does with a reply draft, and what the cards read.

Writing the drafts is core.emaildesk.reply_drafting. A person's taps are conditional
updates at the revision their card showed: a double tap or two admins at once make one
change, and the second is told it was already done. Nothing is sent from here: approving
hands the reply to core.emaildesk.reply_sending.

The review crew (core.posts.crew_gate) reads every draft: its scores show on the cards,
✨ applies the optimizer's rewrite through `edit` (same revision rule, marked as edited),
and `approve` refuses a draft with an unconfirmed compliance failure until a person says
they checked it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.crew.types import Draft
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
from core.experiments import record as outcomes
from core.memory.record import MemoryRecorder, reply_item
from core.posts.crew_gate import OFF, CrewGate, CrewState
from domain.crew import ItemKind
from domain.email_replies import WAITING, ReplyStatus
from domain.memory import MemoryEvent
from storage.models import ReplyDraft
from storage.repos import email_replies as repo
from storage.repos.outcomes import Decision

R = ReplyStatus
SENDING_OFF = "Email sending is off: set SMTP_HOST and EMAIL_FROM to send replies."
KIND = ItemKind.REPLY
# The moves that decide a draft's fate, for prompt experiments (a retry or a send again
# after an approval decide nothing new: the draft's outcome is closed by then).
DECISIONS: dict[ReplyStatus, Decision] = {R.APPROVED: "approved", R.REJECTED: "rejected"}


class ReplyDesk:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        sending_on: bool,
        crew: CrewGate | None = None,
        memory: MemoryRecorder | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._sending_on = sending_on
        # The review crew: scores on the cards, the rewrite, the compliance gate on approve.
        self._crew = crew or CrewGate()
        # Semantic memory: approved (as-is or edited) and rejected drafts.
        self._memory = memory or MemoryRecorder()

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
            await outcomes.edited(session, KIND, reply_id)
        view = await self.get(reply_id)
        await self._crew.review(draft_of(view))
        return view

    async def approve(
        self, reply_id: int, revision: int, user_id: int, *, confirmed: bool = False
    ) -> ReplyView:
        """✅ Approve & send: the reply is handed to the sender (nothing is sent here).

        A compliance failure the crew found raises ComplianceUnconfirmed unless `confirmed`
        (the person checked it): then the confirmation is recorded and the approval goes on.
        """
        if not self._sending_on:
            raise FeatureOff(SENDING_OFF)
        current = await self.at(reply_id, revision)
        if current.status is R.PENDING and current.draft is not None:
            await self._crew.check_approval(draft_of(current), user_id, confirmed=confirmed)
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
            if to in DECISIONS:
                user_id = values.get("decided_by")
                await outcomes.decided(
                    session, KIND, reply_id, DECISIONS[to], self._clock.now(),
                    user_id if isinstance(user_id, int) else None,
                )  # fmt: skip
        view = await self.get(reply_id)
        if to in DECISIONS:
            await self._remember(view, to)
        return view

    async def _remember(self, view: ReplyView, decided: ReplyStatus) -> None:
        """The draft into semantic memory: approved as written, after an edit, or rejected."""
        if view.draft is None:
            return
        at = self._clock.now()
        event = MemoryEvent.REJECTED if decided is R.REJECTED else MemoryEvent.APPROVED
        if event is MemoryEvent.APPROVED and view.edited:
            event = MemoryEvent.EDITED
        who = view.from_name or view.from_address
        item = reply_item(view.id, who, view.draft, at, self._memory.tz)
        await self._memory.record(item, event, at)

    # -- the review crew ---------------------------------------------------------------

    async def crew(self, view: ReplyView) -> CrewState:
        """The crew's review of the draft `view` shows (requested now if there is none yet:
        drafts written while the crew was off are reviewed when first shown). A draft no
        longer waiting for a person shows its last review, and nothing new is asked."""
        if view.draft is None:  # the first draft is still being written
            return OFF
        return await self._crew.state(draft_of(view), ask=view.status is R.PENDING)

    async def apply_rewrite(self, reply_id: int, revision: int, user_id: int) -> ReplyView:
        """✨ The optimizer's rewrite becomes the draft, through ✏️ Edit's path: only on the
        card's revision, marked as edited, its promises checked, and reviewed again."""
        view = await self.at(reply_id, revision)
        if view.status is not R.PENDING or view.draft is None:
            raise lost_race_view(view)
        text = await self._crew.rewrite(draft_of(view))
        return await self.edit(reply_id, revision, text, user_id)

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


def draft_of(view: ReplyView) -> Draft:
    """The reply as the crew reads it: an email (its length limit), the body judged."""
    subject = f"Re: {view.subject}" if view.subject else ""
    return Draft(
        kind=ItemKind.REPLY, item_id=view.id, text=view.draft or "", title=subject[:1000],
        channel="email",
    )  # fmt: skip


async def _order_number(session: AsyncSession, row: ReplyDraft) -> str | None:
    email = await repo.email(session, row.email_id)
    return email.order_number if email else None

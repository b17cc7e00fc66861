"""The reply desk: a draft for every customer email, and what a person does with it.

Drafting is claimed in the database before the model is asked (storage.repos.
email_replies), so one email gets one draft even with two replicas, and a claim a crash
left behind is taken over when its lease runs out. The model never runs inside a
transaction; what it wrote is stored only if the claim is still this worker's.

A person's taps are conditional updates at the revision their card showed: a double tap
or two admins at once make one change, and the second is told it was already done.
Nothing is sent from here: approving hands the reply to core.emaildesk.reply_sending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.emaildesk.reply_checks import unsupported_promises
from core.emaildesk.reply_schema import MAX_DRAFT
from core.emaildesk.reply_views import ReplyPage, ReplyView
from core.emaildesk.reply_writer import EmailFacts, OrderFacts, ReplyWriter, Written
from core.errors import AlreadyDecided, CopilotError, FeatureOff, NotFound, ValidationFailed
from core.redo import same_text
from domain.email_replies import WAITING, ReplyStatus, ResponseType, Tone
from storage.models import InboundEmail, Order, ReplyDraft
from storage.repos import email_replies as repo

log = logging.getLogger(__name__)
R = ReplyStatus
# A first draft that failed is tried again after these waits (then hourly): a model that
# is down or a day's budget that is spent comes back by itself; nothing is lost.
DRAFT_RETRY_S = (60, 300, 900, 3600)
SENDING_OFF = "Email sending is off: set SMTP_HOST and EMAIL_FROM to send replies."


@dataclass(frozen=True)
class ReplyUpdate:
    """What a drafting attempt left: the reply as stored, and how it went.

    `failure` says why the model gave nothing (a first draft is tried again later; a
    redo keeps the draft it had); `repeated` that a redo came back with the same words."""

    view: ReplyView
    failure: str | None = None
    repeated: bool = False


class ReplyDesk:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        writer: ReplyWriter,
        clock: Clock,
        *,
        owner: str,
        lease_s: float,
        sending_on: bool,
    ) -> None:
        self._sessions = sessions
        self._writer = writer
        self._clock = clock
        self._owner = owner  # this process, in the drafting claims it holds
        self._lease = timedelta(seconds=lease_s)
        self._sending_on = sending_on

    # -- drafting (the engine's side) --------------------------------------------------

    async def undrafted(self) -> list[int]:
        """Readable customer emails that have no draft yet."""
        async with self._sessions() as session:
            return await repo.emails_without_reply(session)

    async def claim(self, email_id: int) -> int | None:
        """A new draft for this email, claimed by us; None when it has one already."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            if await repo.email(session, email_id) is None:
                raise NotFound(f"Customer email #{email_id} does not exist.")
            return await repo.claim_new(
                session, email_id, owner=self._owner, until=now + self._lease, at=now
            )

    async def drafting_due(self) -> list[int]:
        async with self._sessions() as session:
            return await repo.drafting_due(session, self._clock.now())

    async def reclaim(self, reply_id: int) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            return await repo.reclaim_drafting(
                session, reply_id, owner=self._owner, until=now + self._lease, now=now
            )

    async def write(self, reply_id: int) -> ReplyUpdate:
        """Ask the model for the draft this worker has claimed, and store it."""
        row, facts = await self._claimed(reply_id)
        redo = row.draft is not None
        tone = Tone(row.requested_tone) if row.requested_tone else None
        known = ResponseType(row.response_type) if row.response_type else None
        try:
            written = await self._writer.write(
                facts, tone=tone, rejected=row.draft or "", known_type=known, fresh=redo
            )
        except CopilotError as error:
            return await self._write_failed(row, str(error))
        if redo and row.draft is not None and same_text(written.answer.draft, row.draft):
            return await self._keep(row, repeated=True)
        async with self._sessions.begin() as session:
            if not await repo.drafted(session, reply_id, self._owner, _values(written)):
                raise AlreadyDecided(f"Reply #{reply_id} was taken over by another worker.")
        return ReplyUpdate(await self.get(reply_id))

    async def _claimed(self, reply_id: int) -> tuple[ReplyDraft, EmailFacts]:
        async with self._sessions() as session:
            row = await _get(session, reply_id)
            if row.status != R.DRAFTING or row.lease_owner != self._owner:
                raise AlreadyDecided(f"Reply #{reply_id} is not being drafted here.")
            email = await repo.email(session, row.email_id)
            if email is None:
                raise NotFound(f"Customer email #{row.email_id} does not exist.")
            order = await repo.order(session, email.order_number)
        return row, _facts(email, order)

    async def _write_failed(self, row: ReplyDraft, reason: str) -> ReplyUpdate:
        if row.draft is not None:  # a redo: the draft it had stays, with the reason
            return await self._keep(row, failure=reason)
        wait = DRAFT_RETRY_S[min(row.attempts, len(DRAFT_RETRY_S) - 1)]
        retry_at = self._clock.now() + timedelta(seconds=wait)
        async with self._sessions.begin() as session:
            await repo.drafting_failed(
                session, row.id, self._owner, error=reason, retry_at=retry_at
            )
        log.warning("drafting reply #%s failed: %s", row.id, reason)
        return ReplyUpdate(await self.get(row.id), failure=reason)

    async def _keep(
        self, row: ReplyDraft, *, failure: str | None = None, repeated: bool = False
    ) -> ReplyUpdate:
        """Back to pending with the draft it had (a redo that failed or repeated itself)."""
        async with self._sessions.begin() as session:
            await repo.drafted(session, row.id, self._owner, {"revision": row.revision + 1})
        return ReplyUpdate(await self.get(row.id), failure=failure, repeated=repeated)

    # -- a person's taps ---------------------------------------------------------------

    async def start_redo(
        self, reply_id: int, revision: int, user_id: int, *, tone: Tone | None = None
    ) -> ReplyView:
        """🔄 Regenerate or 🎭 Change tone: the draft goes back to drafting, claimed by us.

        The draft it had stays until the new one is stored (and stays if the model fails)."""
        values: dict[str, object] = {
            "lease_owner": self._owner,
            "lease_until": self._clock.now() + self._lease,
        }
        if tone is not None:
            values["requested_tone"] = tone
        return await self._move(reply_id, revision, (R.PENDING,), R.DRAFTING, values)

    async def edit(self, reply_id: int, revision: int, text: str, user_id: int) -> ReplyView:
        draft = text.strip()
        if not draft:
            raise ValidationFailed(["The new reply is empty."])
        if len(draft) > MAX_DRAFT:
            raise ValidationFailed(
                [f"The reply is {len(draft)} characters; {MAX_DRAFT} is the most."]
            )
        async with self._sessions.begin() as session:
            row = await _get(session, reply_id)
            order = await repo.order(session, await _order_number(session, row))
            warnings = unsupported_promises(draft, order.status if order else None)
            values = {"draft": draft, "edited": True, "warnings": warnings, "error": None}
            if not await repo.rewrite(session, reply_id, revision, values):
                raise _lost_race(row)
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
        return await self._move(reply_id, revision, (R.PENDING, R.FAILED), R.REJECTED, values)

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
                raise _lost_race(await _get(session, reply_id))
        return await self.get(reply_id)

    # -- reading -----------------------------------------------------------------------

    async def get(self, reply_id: int) -> ReplyView:
        async with self._sessions() as session:
            return await _view(session, await _get(session, reply_id))

    async def at(self, reply_id: int, revision: int) -> ReplyView:
        """The reply if its card's revision is still current; else AlreadyDecided."""
        view = await self.get(reply_id)
        if view.revision != revision:
            raise _lost_race_view(view)
        return view

    async def waiting(self, *, offset: int, limit: int) -> ReplyPage:
        """Drafts waiting for a person: pending, failed, or sent-or-not (unknown)."""
        async with self._sessions() as session:
            rows, total = await repo.waiting(session, WAITING, offset=offset, limit=limit)
            items = tuple([await _view(session, row) for row in rows])
        return ReplyPage(items, offset, total)

    async def add_card(self, reply_id: int, chat_id: int, message_id: int) -> None:
        async with self._sessions.begin() as session:
            await repo.add_card(session, reply_id, chat_id, message_id)

    async def cards(self, reply_id: int) -> list[tuple[int, int]]:
        async with self._sessions() as session:
            return await repo.cards(session, reply_id)


def _values(written: Written) -> dict[str, object]:
    answer = written.answer
    return {
        "response_type": answer.response_type, "tone": answer.tone, "summary": answer.summary,
        "draft": answer.draft, "confidence": answer.confidence,
        "needs_review": answer.needs_review, "suggested_actions": answer.suggested_actions,
        "facts": answer.facts, "warnings": list(written.warnings), "edited": False,
        "template": written.template, "template_version": written.template_version,
        "llm_call_id": written.call_id,
    }  # fmt: skip


def _facts(email: InboundEmail, order: Order | None) -> EmailFacts:
    sender = f"{email.from_name} <{email.from_address}>" if email.from_name else email.from_address
    order_facts = None
    if order is not None:
        order_facts = OrderFacts(order.order_number, order.status, _contents(order.items),
                                 order.updated_at)  # fmt: skip
    body = email.text_for_prompt or email.text
    return EmailFacts(sender, email.subject, body, email.order_number, order_facts)


def _contents(items: list[dict[str, object]] | None) -> str:
    """Order items in one line: "2 × Blue mug, 1 × Candle"."""
    parts = []
    for item in items or []:
        name = str(item.get("name") or item.get("sku") or "item")
        quantity = item.get("quantity")
        parts.append(f"{quantity} × {name}" if quantity else name)
    return ", ".join(parts) or "no items listed"


async def _order_number(session: AsyncSession, row: ReplyDraft) -> str | None:
    email = await repo.email(session, row.email_id)
    return email.order_number if email else None


async def _get(session: AsyncSession, reply_id: int) -> ReplyDraft:
    row = await repo.get(session, reply_id)
    if row is None:
        raise NotFound(f"Reply #{reply_id} does not exist.")
    return row


async def _view(session: AsyncSession, row: ReplyDraft) -> ReplyView:
    email = await repo.email(session, row.email_id)
    if email is None:
        raise NotFound(f"Customer email #{row.email_id} does not exist.")
    return ReplyView.of(row, email, await repo.order(session, email.order_number))


def _lost_race(row: ReplyDraft) -> AlreadyDecided:
    return AlreadyDecided(_status_line(row.id, ReplyStatus(row.status)))


def _lost_race_view(view: ReplyView) -> AlreadyDecided:
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

"""Writing reply drafts: claimed in the database, then the model, then stored if still ours.

A draft is claimed before the model is asked (storage.repos.email_replies), so one email
gets one draft even with two replicas, and a claim a crash left behind is taken over when
its lease runs out. The model never runs inside a transaction; what it wrote is stored
only if the claim is still this worker's. A first draft that fails is tried again later;
a redo (🔄, 🎭) that fails or repeats itself keeps the draft it had. Every stored draft
is handed to the review crew (when it is on), whose verdict the cards then show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.emaildesk.replies import draft_of
from core.emaildesk.reply_views import ReplyView, get_row, lost_race, view_of
from core.emaildesk.reply_writer import EmailFacts, OrderFacts, ReplyWriter, Written
from core.errors import AlreadyDecided, CopilotError, NotFound
from core.experiments import record as outcomes
from core.experiments.keys import item_key
from core.posts.crew_gate import CrewGate
from core.redo import same_text
from domain.crew import ItemKind
from domain.email_replies import ReplyStatus, ResponseType, Tone
from storage.models import InboundEmail, Order, ReplyDraft
from storage.repos import email_replies as repo

log = logging.getLogger(__name__)
R = ReplyStatus
# A first draft that failed is tried again after these waits (then hourly): a model that
# is down or a day's budget that is spent comes back by itself; nothing is lost.
DRAFT_RETRY_S = (60, 300, 900, 3600)


@dataclass(frozen=True)
class ReplyUpdate:
    """What a drafting attempt (or a send) left: the reply as stored, and how it went.

    `failure` says why the model gave nothing (a first draft is tried again later; a
    redo keeps the draft it had); `repeated` that a redo came back with the same words."""

    view: ReplyView
    failure: str | None = None
    repeated: bool = False


class ReplyDrafting:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        writer: ReplyWriter,
        clock: Clock,
        *,
        owner: str,
        lease_s: float,
        crew: CrewGate | None = None,
    ) -> None:
        self._sessions = sessions
        self._writer = writer
        self._clock = clock
        self._owner = owner  # this process, in the claims it holds
        self._lease = timedelta(seconds=lease_s)
        self._crew = crew or CrewGate()

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

    async def due(self) -> list[int]:
        """Drafts nobody holds: a crash cut them off, or a failed one's next try came."""
        async with self._sessions() as session:
            return await repo.drafting_due(session, self._clock.now())

    async def reclaim(self, reply_id: int) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            return await repo.reclaim_drafting(
                session, reply_id, owner=self._owner, until=now + self._lease, now=now
            )

    async def release(self) -> None:
        """At a clean stop: the drafts cut off here are free for the next start to write."""
        async with self._sessions.begin() as session:
            await repo.release_drafting(session, self._owner)

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
        async with self._sessions.begin() as session:
            moved = await repo.move(
                session, reply_id, revision, from_=(R.PENDING,), to=R.DRAFTING, values=values
            )
            if not moved:
                raise lost_race(await get_row(session, reply_id))
        return await self._view(reply_id)

    async def write(self, reply_id: int) -> ReplyUpdate:
        """Ask the model for the draft this worker has claimed, and store it."""
        row, facts = await self._claimed(reply_id)
        redo = row.draft is not None
        tone = Tone(row.requested_tone) if row.requested_tone else None
        known = ResponseType(row.response_type) if row.response_type else None
        try:
            written = await self._writer.write(
                facts, tone=tone, rejected=row.draft or "", known_type=known, fresh=redo,
                variant_key=item_key(ItemKind.REPLY, reply_id),
            )  # fmt: skip
        except CopilotError as error:
            return await self._failed(row, str(error))
        if row.draft is not None and same_text(written.answer.draft, row.draft):
            return await self._keep(row, repeated=True)
        async with self._sessions.begin() as session:
            if not await repo.drafted(session, reply_id, self._owner, _values(written)):
                raise AlreadyDecided(f"Reply #{reply_id} was taken over by another worker.")
            at = self._clock.now()
            await outcomes.generated(session, ItemKind.REPLY, reply_id, written.call_id, at)
        view = await self._view(reply_id)
        await self._crew.review(draft_of(view))
        return ReplyUpdate(view)

    async def _claimed(self, reply_id: int) -> tuple[ReplyDraft, EmailFacts]:
        async with self._sessions() as session:
            row = await get_row(session, reply_id)
            if row.status != R.DRAFTING or row.lease_owner != self._owner:
                raise AlreadyDecided(f"Reply #{reply_id} is not being drafted here.")
            email = await repo.email(session, row.email_id)
            if email is None:
                raise NotFound(f"Customer email #{row.email_id} does not exist.")
            order = await repo.order(session, email.order_number)
        return row, _facts(email, order)

    async def _failed(self, row: ReplyDraft, reason: str) -> ReplyUpdate:
        if row.draft is not None:  # a redo: the draft it had stays, with the reason
            return await self._keep(row, failure=reason)
        wait = DRAFT_RETRY_S[min(row.attempts, len(DRAFT_RETRY_S) - 1)]
        retry_at = self._clock.now() + timedelta(seconds=wait)
        async with self._sessions.begin() as session:
            await repo.drafting_failed(
                session, row.id, self._owner, error=reason, retry_at=retry_at
            )
        log.warning("drafting reply #%s failed: %s", row.id, reason)
        return ReplyUpdate(await self._view(row.id), failure=reason)

    async def _keep(
        self, row: ReplyDraft, *, failure: str | None = None, repeated: bool = False
    ) -> ReplyUpdate:
        """Back to pending with the draft it had (a redo that failed or repeated itself)."""
        async with self._sessions.begin() as session:
            await repo.drafted(session, row.id, self._owner, {})
        return ReplyUpdate(await self._view(row.id), failure=failure, repeated=repeated)

    async def _view(self, reply_id: int) -> ReplyView:
        async with self._sessions() as session:
            return await view_of(session, await get_row(session, reply_id))


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

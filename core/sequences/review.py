"""A human decides on every sequence email: approve, edit, regenerate, reject.

Each decision is one conditional UPDATE on (status, revision): a tap on a card that is
out of date, or a second admin a moment later, changes nothing and is told so. An
approved email is sent by the mailing side when its time comes; approving a held email
(its time has passed) makes it due now, so it goes at once.

The review crew (core.posts.crew_gate) reads every email's words: its scores show on the
card, ✨ applies the optimizer's rewrite through `edit` (same revision rule, approval
withdrawn), and approving an email with an unconfirmed compliance failure is refused until
a person says they checked it; "the rest of this week" leaves such emails for their cards.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.crew.types import Draft
from core.errors import AlreadyDecided, NotFound, ValidationFailed
from core.experiments import record as outcomes
from core.memory.record import MemoryRecorder, approval_event, sequence_email_item
from core.posts.crew_gate import OFF, CrewGate, CrewState
from core.sequences.schedule import send_instant
from core.sequences.views import SequenceEmailView
from domain.crew import ItemKind
from domain.memory import MemoryEvent
from domain.sequences import EDITABLE, REVIEWABLE
from domain.sequences import SequenceEmailStatus as E
from storage.repos import sequences as repo

KIND = ItemKind.SEQUENCE_EMAIL
MAX_SUBJECT = 200
MAX_BODY = 20_000


class Rewriter(Protocol):
    """The writer, for 🔄 Regenerate (core.sequences.writer.SequenceWriter)."""

    async def rewrite(self, email_id: int, revision: int) -> SequenceEmailView: ...


class SequenceReview:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        tz: ZoneInfo,
        writer: Rewriter | None = None,
        crew: CrewGate | None = None,
        memory: MemoryRecorder | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._tz = tz
        self._writer = writer
        # The review crew: scores on the cards, the rewrite, the compliance gate on approve.
        self._crew = crew or CrewGate()
        # Semantic memory: approved (as written or edited) and rejected emails.
        self._memory = memory or MemoryRecorder()

    async def pending_review(self, *, limit: int = 20) -> tuple[SequenceEmailView, ...]:
        """Emails waiting for a decision (pending and held), the soonest due first."""
        async with self._sessions() as session:
            rows = await repo.waiting(session, REVIEWABLE, limit=min(limit, 100))
        return tuple(SequenceEmailView.from_row(row, name) for row, name in rows)

    async def email(self, email_id: int) -> SequenceEmailView:
        async with self._sessions() as session:
            return await _view(session, email_id)

    async def mark_seen(self, email_ids: Collection[int]) -> int:
        """Cards shown to a reviewer: only these are approved by approve_week."""
        if not email_ids:
            return 0
        async with self._sessions.begin() as session:
            return await repo.mark_seen(session, email_ids, self._clock.now())

    async def approve(
        self, email_id: int, revision: int, user_id: int, *, confirmed: bool = False
    ) -> SequenceEmailView:
        """A compliance failure the crew found raises ComplianceUnconfirmed unless
        `confirmed` (the person checked it): then the confirmation is recorded first."""
        current = await self.email(email_id)
        if current.revision == revision and current.status in REVIEWABLE:
            await self._crew.check_approval(draft_of(current), user_id, confirmed=confirmed)
        now = self._clock.now()
        values = {"status": E.APPROVED, "approved_at": now, "approved_by": user_id}
        async with self._sessions.begin() as session:
            view, outcome = await self._approve_one(session, email_id, revision, values, now)
        await self.remember(view, approval_event(outcome))
        return view

    async def _approve_one(
        self,
        session: AsyncSession,
        email_id: int,
        revision: int,
        values: dict[str, Any],
        now: datetime,
    ) -> tuple[SequenceEmailView, str | None]:
        """Approve a pending email, or a held one (its time has passed: it is sent now)."""
        user_id = values["approved_by"]
        if await repo.change(
            session, email_id, expected=[E.PENDING], revision=revision,
            values={**values, "updated_at": now},
        ):  # fmt: skip
            outcome = await outcomes.decided(session, KIND, email_id, "approved", now, user_id)
            return await _view(session, email_id), outcome
        # Held: its time has passed, so approving it means sending it now.
        held = {**values, "due_at": now, "updated_at": now}
        if await repo.change(session, email_id, expected=[E.HELD], revision=revision, values=held):
            outcome = await outcomes.decided(session, KIND, email_id, "approved", now, user_id)
            return await _view(session, email_id), outcome
        raise await _lost(session, email_id, "approved")

    async def remember(self, view: SequenceEmailView, event: MemoryEvent) -> None:
        """The email's subject and body into semantic memory (never raises)."""
        item = sequence_email_item(
            view.id, view.number, view.sequence_name, view.subject, view.body_text
        )
        await self._memory.record(item, event, self._clock.now())

    async def approve_week(self, sequence_id: int, user_id: int) -> tuple[SequenceEmailView, ...]:
        """Approve this sequence's pending emails due before next Monday (local) whose
        card a reviewer has seen; held ones need a decision each (they would go at once),
        and so do those with an unconfirmed compliance failure (`needs_check`)."""
        now = self._clock.now()
        unchecked = {email.id for email in await self.needs_check(sequence_id)}
        approved: list[tuple[SequenceEmailView, str | None]] = []
        async with self._sessions.begin() as session:
            for row in await self._week(session, sequence_id):
                if row.id not in unchecked and await repo.change(
                    session, row.id, expected=[E.PENDING], revision=row.revision,
                    values={"status": E.APPROVED, "approved_at": now, "approved_by": user_id,
                            "updated_at": now},
                ):  # fmt: skip
                    outcome = await outcomes.decided(
                        session, KIND, row.id, "approved", now, user_id
                    )
                    approved.append((await _view(session, row.id), outcome))
        for view, outcome in approved:
            await self.remember(view, approval_event(outcome))
        return tuple(view for view, _ in approved)

    async def needs_check(self, sequence_id: int) -> tuple[SequenceEmailView, ...]:
        """This week's seen pending emails the crew flagged for compliance and nobody
        checked yet: approved one by one on their cards, never by the week's button."""
        async with self._sessions() as session:
            rows = await self._week(session, sequence_id)
            views = [await _view(session, row.id) for row in rows]
        return tuple([view for view in views if (await self.crew(view)).blocks_approval])

    async def _week(self, session: AsyncSession, sequence_id: int) -> list[Any]:
        now = self._clock.now()
        week_end = _next_monday(now, self._tz)
        rows = await repo.emails(session, sequence_id)
        return [row for row in rows if _in_week(row, now, week_end)]

    async def reject(self, email_id: int, revision: int, user_id: int) -> SequenceEmailView:
        """Never sent; the sequence goes on with the next email."""
        now = self._clock.now()
        values = {"status": E.REJECTED, "approved_at": None, "approved_by": None,
                  "updated_at": now}  # fmt: skip
        expected = [*REVIEWABLE, E.APPROVED]
        async with self._sessions.begin() as session:
            if await repo.change(
                session, email_id, expected=expected, revision=revision, values=values
            ):
                await outcomes.decided(session, KIND, email_id, "rejected", now, user_id)
                view = await _view(session, email_id)
            else:
                raise await _lost(session, email_id, "rejected")
        await self.remember(view, MemoryEvent.REJECTED)
        return view

    async def edit(
        self,
        email_id: int,
        revision: int,
        user_id: int,
        *,
        subject: str | None = None,
        body_text: str | None = None,
    ) -> SequenceEmailView:
        """New text; an approved email needs approving again (nobody approved this text)."""
        values = _edited(subject, body_text)
        now = self._clock.now()
        async with self._sessions.begin() as session:
            row = await repo.email(session, email_id)
            if row is None:
                raise NotFound(f"Sequence email #{email_id} does not exist.")
            status = E.HELD if row.status == E.HELD else E.PENDING
            values |= {"status": status, "approved_at": None, "approved_by": None,
                       "updated_at": now}  # fmt: skip
            changed = await repo.change(
                session, email_id, expected=EDITABLE, revision=revision, values=values
            )
            if not changed:
                raise await _lost(session, email_id, "edited")
            await outcomes.edited(session, KIND, email_id)
            view = await _view(session, email_id)
        await self._crew.review(draft_of(view))
        return view

    async def regenerate(self, email_id: int, revision: int, user_id: int) -> SequenceEmailView:
        """A new text from the model (a fresh call, not the cached answer)."""
        if self._writer is None:
            raise ValidationFailed(["AI writing is off: set LLM_MODEL to turn it on."])
        return await self._writer.rewrite(email_id, revision)

    async def crew(self, view: SequenceEmailView) -> CrewState:
        """The crew's review of the words `view` shows (requested now if there is none yet:
        emails written while the crew was off are reviewed when first shown). A sent or
        rejected email shows its last review, and nothing new is asked."""
        if view.body_text is None:  # planned, or being written for the first time
            return OFF
        return await self._crew.state(draft_of(view), ask=view.status in EDITABLE)

    async def apply_rewrite(self, email_id: int, revision: int, user_id: int) -> SequenceEmailView:
        """✨ The optimizer's rewrite becomes the body, through ✏️ Edit's path: only on the
        card's revision, an earlier approval withdrawn, and the new words reviewed again."""
        current = await self.email(email_id)
        if current.revision != revision or current.status not in REVIEWABLE:
            raise AlreadyDecided(
                f"Email #{current.number} changed meanwhile, so the rewrite was not applied. "
                "Look at the current card."
            )
        text = await self._crew.rewrite(draft_of(current))
        return await self.edit(email_id, revision, user_id, body_text=text)


def draft_of(view: SequenceEmailView) -> Draft:
    """The email as the crew reads it: its body judged, its subject as the title."""
    return Draft(
        kind=ItemKind.SEQUENCE_EMAIL, item_id=view.id, text=view.body_text or "",
        title=view.subject or "", channel="email",
    )  # fmt: skip


def _edited(subject: str | None, body_text: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    if subject is not None:
        subject = subject.strip()
        if not subject or "\r" in subject or "\n" in subject or len(subject) > MAX_SUBJECT:
            problems.append(f"subject: one line of 1-{MAX_SUBJECT} characters")
        values["subject"] = subject
    if body_text is not None:
        body_text = body_text.strip()
        if not body_text or len(body_text) > MAX_BODY:
            problems.append(f"body_text: 1-{MAX_BODY} characters")
        values["body_text"] = body_text
        values["body_html"] = None  # rendered from the text again when sent
    if not values:
        problems.append("nothing to change: give a subject or a body")
    if problems:
        raise ValidationFailed(problems)
    return values


def _in_week(row: Any, now: datetime, week_end: datetime) -> bool:
    return row.status == E.PENDING and row.seen_at is not None and now < row.due_at < week_end


def _next_monday(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz).date()
    monday = local + timedelta(days=7 - local.weekday())
    return send_instant(monday, datetime.min.time(), tz)


async def _decide(
    session: AsyncSession,
    email_id: int,
    expected: Collection[str],
    revision: int,
    values: dict[str, Any],
    verb: str,
) -> SequenceEmailView:
    if await repo.change(session, email_id, expected=expected, revision=revision, values=values):
        return await _view(session, email_id)
    raise await _lost(session, email_id, verb)


async def _view(session: AsyncSession, email_id: int) -> SequenceEmailView:
    row = await repo.email(session, email_id)
    if row is None:
        raise NotFound(f"Sequence email #{email_id} does not exist.")
    sequence = await repo.get(session, row.sequence_id)
    return SequenceEmailView.from_row(row, sequence.name if sequence else "")


async def _lost(session: AsyncSession, email_id: int, verb: str) -> Exception:
    row = await repo.email(session, email_id)
    if row is None:
        return NotFound(f"Sequence email #{email_id} does not exist.")
    return AlreadyDecided(
        f"Email #{row.number} changed meanwhile (it is {row.status} now), so it was not {verb}. "
        "Look at the current card."
    )

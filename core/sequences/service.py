"""Sequences: create one (schedule planned, every email a row), list them, show one.

Nothing here sends or writes: each email is written a few days before it is due
(core.sequences.writer), approved by a human (core.sequences.review), and sent by the
mailing side once approved and due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.errors import Conflict, NotFound, ValidationFailed
from core.sequences import schedule
from core.sequences.ports import DeliveryStats, ModelCheck
from core.sequences.recipients import RecipientImport, from_addresses
from core.sequences.spec import SequenceSpec, validate_spec
from core.sequences.views import (
    RecipientView,
    SequenceDetail,
    SequenceView,
    email_views,
)
from domain.sequences import SequenceStatus, structure_for
from storage.models import EmailSequence
from storage.repos import sequences as repo

# Consent source of addresses a program sent: the caller vouches for their consent.
API_CONSENT = "api: consent asserted by the caller"


@dataclass(frozen=True)
class PlannedSequence:
    """A checked spec and its send times, before anything is stored (a preview)."""

    spec: SequenceSpec
    recipients: RecipientImport
    starts_on: date
    send_at: time
    sends: tuple[datetime, ...]
    tz: ZoneInfo

    def summary(self) -> str:
        """'2 emails a week, taking turns on Mon, Wed, Fri, at 09:00 Europe/Berlin: 26 emails'"""
        count = f"{len(self.sends)} email{'s' if len(self.sends) != 1 else ''}"
        return f"{self.spec.cadence().summary()}, at {self.send_at:%H:%M} {self.tz.key}: {count}"


class SequenceService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        tz: ZoneInfo,
        *,
        send_at: time,
        models: ModelCheck | None = None,
        deliveries: DeliveryStats | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._tz = tz
        self._send_at = send_at
        self._models = models
        self._deliveries = deliveries

    async def plan(
        self,
        body: SequenceSpec | Mapping[str, Any],
        *,
        recipients: RecipientImport | None = None,
        consent_source: str = API_CONSENT,
    ) -> PlannedSequence:
        """Check a body and work out its send times; ValidationFailed, one line a problem.

        `recipients` (a CSV import with consent, say) replaces the body's addresses, which
        are otherwise recorded with `consent_source`. Nothing is stored: a preview.
        """
        spec = body if isinstance(body, SequenceSpec) else validate_spec(body)
        problems = await self._model_problems(spec.ai_agent_id)
        now = self._clock.now()
        starts_on = spec.start_date or (now.astimezone(self._tz).date() + timedelta(days=1))
        problems += _start_problems(starts_on, now.astimezone(self._tz).date())
        send_at = spec.send_at(self._send_at)
        sends = schedule.planned_sends(spec.cadence(), starts_on, send_at, self._tz, after=now)
        if not sends and not problems:
            problems.append("schedule: no send time falls in the sequence's months")
        if problems:
            raise ValidationFailed(problems)
        if recipients is None:
            recipients = from_addresses(spec.recipient_emails, source=consent_source)
        return PlannedSequence(spec, recipients, starts_on, send_at, tuple(sends), self._tz)

    async def create(
        self,
        body: SequenceSpec | Mapping[str, Any] | PlannedSequence,
        *,
        actor: str,
        recipients: RecipientImport | None = None,
        consent_source: str = API_CONSENT,
    ) -> SequenceDetail:
        """Store the sequence, its recipients and one planned email per send time, together.

        `actor` is "api" or "user:<telegram id>". A PlannedSequence shown a while ago is
        planned again, so no send time is already past.
        """
        if isinstance(body, PlannedSequence):
            recipients = recipients or body.recipients
            spec: SequenceSpec | Mapping[str, Any] = body.spec
        else:
            spec = body
        planned = await self.plan(spec, recipients=recipients, consent_source=consent_source)
        if not planned.recipients.recipients:
            raise ValidationFailed(["recipient_emails: no usable address with consent"])
        at = self._clock.now()
        async with self._sessions.begin() as session:
            row = await repo.insert_sequence(session, self._values(planned, actor, at))
            pairs = [(r.email, r.consent_source) for r in planned.recipients.recipients]
            await repo.insert_recipients(session, row.id, pairs, at)
            emails = [(due, structure_for(n)) for n, due in enumerate(planned.sends, start=1)]
            await repo.insert_emails(session, row.id, emails, at)
            detail = await _detail(session, row, sent={})  # nothing sent yet
        return _with_notes(detail, planned.recipients)

    async def get(self, sequence_id: int) -> SequenceDetail:
        # Read before this session opens: on SQLite the bot has one connection, and the
        # mailing side's log needs it too.
        sent = await self._deliveries.per_recipient(sequence_id) if self._deliveries else {}
        by_email = await self._deliveries.per_email(sequence_id) if self._deliveries else {}
        async with self._sessions() as session:
            row = await repo.get(session, sequence_id)
            if row is None:
                raise NotFound(f"Sequence #{sequence_id} does not exist.")
            return await _detail(session, row, sent, by_email)

    async def recent(self, *, offset: int = 0, limit: int = 20) -> tuple[SequenceView, ...]:
        """Newest first."""
        async with self._sessions() as session:
            rows = await repo.recent(session, offset=max(0, offset), limit=min(limit, 100))
            return await _views(session, rows)

    async def pause(self, sequence_id: int) -> SequenceView:
        """Nothing more is written or sent until resumed."""
        return await self._move(sequence_id, SequenceStatus.ACTIVE, SequenceStatus.PAUSED)

    async def resume(self, sequence_id: int) -> SequenceView:
        return await self._move(sequence_id, SequenceStatus.PAUSED, SequenceStatus.ACTIVE)

    async def _move(
        self, sequence_id: int, expected: SequenceStatus, status: SequenceStatus
    ) -> SequenceView:
        async with self._sessions.begin() as session:
            moved = await repo.set_sequence_status(
                session, sequence_id, expected=expected, status=status
            )
            row = await repo.get(session, sequence_id)
            if row is None:
                raise NotFound(f"Sequence #{sequence_id} does not exist.")
            if not moved:
                raise Conflict(f"Sequence #{sequence_id} is {row.status}, not {expected}.")
            await session.refresh(row)
            return (await _views(session, [row]))[0]

    async def _model_problems(self, model: str | None) -> list[str]:
        if model is None or self._models is None:
            return []
        problem = await self._models.model_problem(model)
        return [] if problem is None else [f"ai_agent_id: {problem}"]

    def _values(self, planned: PlannedSequence, actor: str, at: datetime) -> dict[str, Any]:
        spec, cadence = planned.spec, planned.spec.cadence()
        weekly = cadence.schedule_type == "weekly"
        return {
            "name": spec.name, "description": spec.description,
            "schedule_type": cadence.schedule_type.value,
            "weekly_emails": cadence.weekly_emails if weekly else None,
            "weekly_days": list(cadence.weekly_days), "total_months": spec.total_months,
            "ai_agent_id": spec.ai_agent_id, "status": SequenceStatus.ACTIVE,
            "tz": self._tz.key, "send_time": planned.send_at, "starts_on": planned.starts_on,
            "created_by": actor, "created_at": at,
        }  # fmt: skip


async def _detail(
    session: AsyncSession,
    row: EmailSequence,
    sent: Mapping[str, Mapping[str, int]],
    by_email: Mapping[int, Mapping[str, int]] | None = None,
) -> SequenceDetail:
    view = (await _views(session, [row]))[0]
    emails = tuple(
        replace(e, deliveries=(by_email or {}).get(e.id, {}))
        for e in email_views(await repo.emails(session, row.id), row.name)
    )
    recipients = tuple(
        RecipientView(r.email, r.consent_source, r.consent_at, sent.get(r.email, {}))
        for r in await repo.recipients(session, row.id)
    )
    return SequenceDetail(view, emails, recipients)


async def _views(session: AsyncSession, rows: Any) -> tuple[SequenceView, ...]:
    ids = [row.id for row in rows]
    people = await repo.recipient_counts(session, ids)
    counts = await repo.status_counts(session, ids)
    return tuple(SequenceView.from_row(r, people.get(r.id, 0), counts[r.id]) for r in rows)


def _start_problems(starts_on: date, today: date) -> list[str]:
    if starts_on < today:
        return [f"start_date: {starts_on} is in the past; today is {today}"]
    if starts_on > today + timedelta(days=365):
        return ["start_date: must be at most 365 days ahead"]
    return []


def _with_notes(detail: SequenceDetail, recipients: RecipientImport) -> SequenceDetail:
    if not recipients.duplicates:
        return detail
    merged = recipients.duplicates
    note = f"{merged} duplicate address{'es were' if merged != 1 else ' was'} merged"
    return SequenceDetail(detail.sequence, detail.emails, detail.recipients, (note,))

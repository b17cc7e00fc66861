"""The sequence writer: each email is written a few days before it is due.

A sweep (every SEQUENCE_SWEEP_INTERVAL_S) finds emails of active sequences due within
SEQUENCE_WRITE_AHEAD_DAYS that are still `planned`, claims each (planned → writing, one
conditional UPDATE, so two replicas never write the same one), asks the model with the
structure of its turn and the earlier emails' subjects and key points, and stores the
answer as `pending`: it enters /approve. A claim a crashed replica left behind is taken
over after SEQUENCE_WRITE_LEASE_S. A failed call puts the email back to `planned` with
the reason; it is tried again by later sweeps, MAX_ATTEMPTS times in all, and if still
unwritten at its time it is held like any unapproved email. Every text stored is handed
to the review crew (when it is on), whose verdict the email's card then shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import SequenceSettings
from core.errors import AlreadyDecided, CopilotError, NotFound
from core.experiments import record as outcomes
from core.experiments.keys import item_key
from core.llm.types import LLMResult
from core.memory.retrieval import PromptMemory
from core.posts.crew_gate import CrewGate
from core.sequences.review import draft_of
from core.sequences.views import SequenceEmailView
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.crew import ItemKind
from domain.memory import MemoryKind
from domain.sequences import SequenceEmailStatus as E
from storage.models import EmailSequence, SequenceEmail
from storage.repos import sequences as repo

log = logging.getLogger(__name__)

TEMPLATE = "sequence_email"
KIND = ItemKind.SEQUENCE_EMAIL
MAX_ATTEMPTS = 3
SEQUENCE_MEMORY = (MemoryKind.SEQUENCE_EMAIL,)
_BATCH = 10

Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=150, pattern=r"^[^\r\n]*$"),
]
Point = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class EmailDraft(BaseModel):
    """What the sequence_email prompt asks the model for."""

    model_config = ConfigDict(extra="forbid")

    subject: Subject = Field(description="Subject line, one line")
    body_text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=8000)
    ]
    key_points: list[Point] = Field(min_length=1, max_length=5)


@dataclass(frozen=True)
class _Claim:
    email_id: int
    revision: int  # the revision the claim made; the answer is stored only at it
    back_to: E  # where a failed call leaves the email


class SequenceWriter:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        prompts: PromptRenderer,
        llm: StructuredLLM,
        clock: Clock,
        settings: SequenceSettings,
        crew: CrewGate | None = None,
        recall: PromptMemory | None = None,
    ) -> None:
        self._sessions = session_factory
        self._prompts = prompts
        self._llm = llm
        self._clock = clock
        self._settings = settings
        self._crew = crew or CrewGate()
        # Semantic memory: past sequence emails like this one, and the best-received ones.
        self._recall = recall or PromptMemory()

    async def write_due(self) -> int:
        """Write every email now within the write-ahead window; returns how many were written."""
        now = self._clock.now()
        async with self._sessions() as session:
            ids = await repo.due_to_write(
                session,
                before=now + timedelta(days=self._settings.write_ahead_days),
                stale_since=now - timedelta(seconds=self._settings.write_lease_s),
                limit=_BATCH,
            )
        written = 0
        for email_id in ids:
            written += await self._write_quietly(email_id)
        return written

    async def rewrite(self, email_id: int, revision: int) -> SequenceEmailView:
        """🔄 Regenerate: a fresh answer for a pending, held or approved email (it needs
        approving again). Raises AlreadyDecided, NotFound or an LLMError."""
        async with self._sessions.begin() as session:
            row = await _row(session, email_id)
            back_to = E.HELD if row.status == E.HELD else E.PENDING
            claim = await _claim(
                session, row, [E.PENDING, E.HELD, E.APPROVED], revision, back_to, self._clock.now()
            )
            if claim is None:
                raise AlreadyDecided(
                    f"Email #{row.number} changed meanwhile; look at the current card."
                )
        return await self._write(claim, fresh=True)

    async def _write_quietly(self, email_id: int) -> int:
        async with self._sessions.begin() as session:
            row = await _row(session, email_id)
            if row.write_attempts >= MAX_ATTEMPTS:
                return 0
            claim = await _claim(
                session, row, [E.PLANNED, E.WRITING], row.revision, E.PLANNED, self._clock.now()
            )
        if claim is None:
            return 0  # another replica has it
        try:
            await self._write(claim, fresh=False)
        except CopilotError as exc:
            log.warning("Sequence email #%s was not written: %s", email_id, exc)
            return 0
        return 1

    async def _write(self, claim: _Claim, *, fresh: bool) -> SequenceEmailView:
        async with self._sessions() as session:
            row = await _row(session, claim.email_id)
            sequence = await repo.get(session, row.sequence_id)
            assert sequence is not None  # the foreign key cascades
            variables = await _variables(session, sequence, row)
        recalled = await self._recall.recall(
            _about(sequence.name, sequence.description, row.structure),
            persona_id=None, kinds=SEQUENCE_MEMORY,
        )  # fmt: skip
        variables["memory"] = recalled.text
        key = item_key(KIND, claim.email_id)  # every rewrite of an email: the same arm
        request = self._prompts.render(TEMPLATE, variables, variant_key=key)
        request = replace(
            request, fresh=fresh, model=sequence.ai_agent_id, retrieval=recalled.retrieval
        )
        try:
            result = await self._llm.generate(request, EmailDraft)
        except CopilotError as exc:
            await self._failed(claim, str(exc))
            raise
        return await self._store(claim, result, sequence.name)

    async def _store(
        self, claim: _Claim, result: LLMResult[EmailDraft], name: str
    ) -> SequenceEmailView:
        draft, model = result.value, result.model
        now = self._clock.now()
        content = {
            "subject": draft.subject, "body_text": draft.body_text, "body_html": None,
            "key_points": list(draft.key_points), "model": model, "written_at": now,
            "error": None, "writing_since": None, "updated_at": now,
            "approved_at": None, "approved_by": None,
        }  # fmt: skip
        status = E.PENDING if claim.back_to != E.HELD else E.HELD
        async with self._sessions.begin() as session:
            stored = await repo.change(
                session, claim.email_id, expected=[E.WRITING], revision=claim.revision,
                values={**content, "status": status},
            )  # fmt: skip
            if not stored:
                # Its time came while it was being written: it is held; keep the text.
                stored = await repo.change(
                    session, claim.email_id, expected=[E.HELD], revision=claim.revision + 1,
                    values=content,
                )  # fmt: skip
            if stored:
                await outcomes.generated(session, KIND, claim.email_id, result.call_id, now)
            row = await _row(session, claim.email_id)
        if not stored:
            raise AlreadyDecided(f"Email #{row.number} changed while it was being written.")
        view = SequenceEmailView.from_row(row, name)
        await self._crew.review(draft_of(view))
        return view

    async def _failed(self, claim: _Claim, reason: str) -> None:
        values = {"status": claim.back_to, "error": reason[:2000], "writing_since": None}
        async with self._sessions.begin() as session:
            await repo.change(
                session, claim.email_id, expected=[E.WRITING], revision=claim.revision,
                values=values,
            )  # fmt: skip


async def _row(session: AsyncSession, email_id: int) -> SequenceEmail:
    row = await repo.email(session, email_id)
    if row is None:
        raise NotFound(f"Sequence email #{email_id} does not exist.")
    return row


async def _claim(
    session: AsyncSession,
    row: SequenceEmail,
    expected: list[E],
    revision: int,
    back_to: E,
    now: datetime,
) -> _Claim | None:
    values: dict[str, Any] = {"status": E.WRITING, "writing_since": now}
    if back_to == E.PLANNED:
        values["write_attempts"] = row.write_attempts + 1
    if not await repo.change(session, row.id, expected=expected, revision=revision, values=values):
        return None
    return _Claim(row.id, revision + 1, back_to)


def _about(name: str, description: str, structure: str) -> str:
    """What the email is about, for semantic memory: its sequence and its structure."""
    return "\n".join(part for part in (name, description, f"A {structure} email.") if part)


async def _variables(
    session: AsyncSession, sequence: EmailSequence, row: SequenceEmail
) -> dict[str, object]:
    earlier = await repo.earlier_emails(session, row)
    total = len(await repo.emails(session, sequence.id))
    local = row.due_at.astimezone(ZoneInfo(sequence.tz))
    return {
        "sequence_name": sequence.name,
        "sequence_description": sequence.description,
        "number": row.number,
        "total": total,
        "structure": row.structure,
        "due_local": f"{local:%a %d %b %Y %H:%M}",
        "earlier": [
            {"number": e.number, "subject": e.subject, "key_points": list(e.key_points)}
            for e in earlier
        ],
    }

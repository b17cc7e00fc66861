"""SMS flows kept with their versions: generate, regenerate, approve, reject, read.

A flow is stored only once it is valid (core.flows.generation makes it or raises
FlowNotValid, and nothing is written). Each generation is a new version of the flow; a
new version makes the flow a draft again, while `approved_version` keeps the last one a
person approved (the export). Every move is a conditional UPDATE, so a double tap or a
second admin changes a flow once. Each version is a generation of the item ("flow", id)
in item_outcomes, so /prompts can compare flow_generate variants.

Every new version goes to the review crew (core.flows.crew): its scores show on the card,
and Approve waits on a compliance failure until a person says they checked it, as for
every other draft.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.guidelines import BrandGuidelines
from core.clock import Clock
from core.errors import AlreadyDecided, InvalidTransition, NotFound, ValidationFailed
from core.experiments import record as outcomes
from core.experiments.keys import item_key, request_key
from core.flows.crew import flow_draft
from core.flows.generation import FlowMaker, MadeFlow
from core.flows.views import FlowSummary, FlowVersionView, FlowView
from core.llm.budget import to_micro
from core.memory.record import MemoryRecorder, approval_event, sms_ids, sms_items
from core.posts.crew_gate import OFF, CrewGate, CrewState
from domain.crew import ItemKind
from domain.flow_status import FlowStatus
from domain.memory import MemoryEvent, MemoryKind
from storage.repos import flows as repo
from storage.repos import personas as persona_repo
from storage.repos.outcomes import Decision

KIND = ItemKind.FLOW
MAX_DESCRIPTION_CHARS = 2000


class Brands(Protocol):
    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None: ...


def clean_description(description: object) -> str:
    """The description as it will be sent; ValidationFailed with a sentence otherwise."""
    if not isinstance(description, str) or not description.strip():
        raise ValidationFailed(["campaignDescription: describe the campaign in a few words"])
    text = description.strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise ValidationFailed(
            [f"campaignDescription: at most {MAX_DESCRIPTION_CHARS} characters ({len(text)} given)"]
        )
    return text


class FlowService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        maker: FlowMaker,
        brands: Brands,
        memory: MemoryRecorder | None = None,
        crew: CrewGate | None = None,
    ) -> None:
        # Semantic memory: the SMS texts of approved and rejected versions.
        self._memory = memory or MemoryRecorder()
        # The review crew: scores on the card, the compliance gate on approve.
        self._crew = crew or CrewGate()
        self._sessions = session_factory
        self._clock = clock
        self._maker = maker
        self._brands = brands

    async def generate(
        self,
        description: str,
        *,
        source: str = "telegram",
        created_by: int | None = None,
        persona_id: int | None = None,
        variant_key: str | None = None,
    ) -> FlowView:
        """A new flow at version 1 (draft), or FlowNotValid / an LLM error: nothing kept."""
        text = clean_description(description)
        await self._require_persona(persona_id)
        brand = await self._brands.for_persona(persona_id)
        key = variant_key or request_key()
        made = await self._maker.make(text, brand=brand, variant_key=key, persona_id=persona_id)
        async with self._sessions.begin() as session:
            row = await repo.insert(
                session,
                {"description": text, "source": source, "created_by": created_by,
                 "persona_id": persona_id, "created_at": self._clock.now()},
            )  # fmt: skip
            flow_id = row.id
            await self._store_version(session, flow_id, 1, text, made, created_by)
        return await self._reviewed(await self.get(flow_id), persona_id)

    async def regenerate(
        self,
        flow_id: int,
        *,
        expected_version: int,
        user_id: int | None = None,
        description: str | None = None,
    ) -> FlowView:
        """A new version from a fresh call (a new description = ✏️ Edit description).

        Stored only if the flow is still at `expected_version`: of two taps on the same
        card, the second raises AlreadyDecided and keeps nothing.
        """
        flow = await self.get(flow_id)
        if flow.current_version != expected_version:
            raise AlreadyDecided(_moved_on(flow))
        text = clean_description(description) if description is not None else flow.description
        persona_id = await self._persona_of(flow_id)
        brand = await self._brands.for_persona(persona_id)
        made = await self._maker.make(
            text, brand=brand, variant_key=item_key(KIND, flow_id), fresh=True,
            persona_id=persona_id,
        )  # fmt: skip
        async with self._sessions.begin() as session:
            done = await repo.advance(session, flow_id, expected_version, text)
            if done:
                number = expected_version + 1
                await self._store_version(session, flow_id, number, text, made, user_id)
        if not done:
            raise AlreadyDecided(_moved_on(await self.get(flow_id)))
        return await self._reviewed(await self.get(flow_id), persona_id)

    async def approve(
        self, flow_id: int, *, user_id: int, version: int, confirmed: bool = False
    ) -> FlowView:
        """ComplianceUnconfirmed when the crew flagged this version and `confirmed` is not
        set (the person tapped "Approve anyway — I checked it")."""
        view = await self.get(flow_id)
        if view.status == FlowStatus.DRAFT and view.current_version == version:
            draft = flow_draft(view.current, await self._persona_of(flow_id))
            if draft is not None:
                await self._crew.check_approval(draft, user_id, confirmed=confirmed)
        return await self._decide(flow_id, version, FlowStatus.APPROVED, user_id)

    async def reject(self, flow_id: int, *, user_id: int | None, version: int) -> FlowView:
        return await self._decide(flow_id, version, FlowStatus.REJECTED, user_id)

    async def crew(self, view: FlowView) -> CrewState:
        """The crew's review of the version `view` shows (asked for now if there is none:
        a flow made while the crew was off is reviewed when first shown); a decided
        flow's last review as it is."""
        draft = flow_draft(view.current, await self._persona_of(view.id))
        if draft is None:
            return OFF
        return await self._crew.state(draft, ask=view.status == FlowStatus.DRAFT)

    async def get(self, flow_id: int) -> FlowView:
        async with self._sessions() as session:
            row = await repo.get(session, flow_id)
            if row is None:
                raise NotFound(f"Flow #{flow_id} does not exist.")
            versions = await repo.versions(session, flow_id)
        return FlowView.from_rows(row, versions)

    async def version(self, flow_id: int, number: int) -> FlowVersionView:
        async with self._sessions() as session:
            row = await repo.version(session, flow_id, number)
        if row is None:
            raise NotFound(f"Flow #{flow_id} has no version {number}.")
        return FlowVersionView.from_row(row)

    async def versions(self, flow_id: int) -> tuple[FlowVersionView, ...]:
        """Every version, oldest first (NotFound for an unknown flow)."""
        async with self._sessions() as session:
            if await repo.get(session, flow_id) is None:
                raise NotFound(f"Flow #{flow_id} does not exist.")
            rows = await repo.versions(session, flow_id)
        return tuple(FlowVersionView.from_row(row) for row in rows)

    async def recent(self, *, offset: int = 0, limit: int = 20) -> tuple[FlowSummary, ...]:
        async with self._sessions() as session:
            rows = await repo.recent(session, offset=offset, limit=limit)
            counts = await repo.version_counts(session, [row.id for row in rows])
        return tuple(FlowSummary.from_row(row, counts.get(row.id, 0)) for row in rows)

    async def export(self, flow_id: int) -> FlowVersionView:
        """The approved version, ready to hand to a flow engine."""
        flow = await self.get(flow_id)
        if flow.approved_version is None:
            raise InvalidTransition(f"Flow #{flow_id} has no approved version to export yet.")
        return await self.version(flow_id, flow.approved_version)

    async def _decide(
        self, flow_id: int, version: int, status: FlowStatus, user_id: int | None
    ) -> FlowView:
        now = self._clock.now()
        outcome: str | None = None
        async with self._sessions.begin() as session:
            values: dict[str, Any] = {"decided_by": user_id, "decided_at": now}
            done = await repo.decide(session, flow_id, version, status, values)
            if done:
                decision: Decision = "approved" if status == FlowStatus.APPROVED else "rejected"
                outcome = await outcomes.decided(session, KIND, flow_id, decision, now, user_id)
        if not done:  # read after the transaction: SQLite has one writer at a time
            raise AlreadyDecided(_moved_on(await self.get(flow_id)))
        view = await self.get(flow_id)
        approved = status == FlowStatus.APPROVED
        # Memory holds what the shop would send: a rejected draft of a flow that has an
        # approved version leaves that version's texts (still the one exported) in place.
        if approved or view.approved_version is None:
            await self._remember(
                view, approval_event(outcome) if approved else MemoryEvent.REJECTED
            )
        return view

    async def _remember(self, view: FlowView, event: MemoryEvent) -> None:
        """Each SMS text of the decided version into semantic memory, and the texts of an
        earlier version it no longer has out of it (never raises)."""
        persona_id = await self._persona_of(view.id)
        version = view.current
        items = sms_items(view.id, version.version, persona_id, version.flow)
        await self._memory.record_version(
            items, event, self._clock.now(), kind=MemoryKind.SMS, ids=sms_ids(view.id)
        )

    async def _reviewed(self, view: FlowView, persona_id: int | None) -> FlowView:
        """Ask the crew to review a version just stored (never fails the generation)."""
        draft = flow_draft(view.current, persona_id)
        if draft is not None:
            await self._crew.review(draft)
        return view

    async def _require_persona(self, persona_id: int | None) -> None:
        """Checked before the model is asked: an unknown persona is the caller's mistake."""
        if persona_id is None:
            return
        async with self._sessions() as session:
            if not await persona_repo.exists(session, persona_id):
                raise ValidationFailed([f"persona_id: there is no persona {persona_id}"])

    async def _persona_of(self, flow_id: int) -> int | None:
        async with self._sessions() as session:
            row = await repo.get(session, flow_id)
        return row.persona_id if row is not None else None

    async def _store_version(
        self,
        session: AsyncSession,
        flow_id: int,
        number: int,
        description: str,
        made: MadeFlow,
        created_by: int | None,
    ) -> None:
        now = self._clock.now()
        await repo.add_version(
            session,
            {
                "flow_id": flow_id,
                "version": number,
                "description": description,
                "flow": json.dumps(made.wire, ensure_ascii=False),
                "llm_call_id": made.llm_call_id,
                "model_used": made.model_used,
                "tokens_used": made.tokens_used,
                "generation_time_ms": made.generation_time_ms,
                "prompt_version": made.prompt_version,
                "prompt_variant": made.prompt_variant,
                "cost_microusd": to_micro(made.cost_usd),
                "repairs": made.repairs,
                "corrections": list(made.corrections),
                "created_by": created_by,
                "created_at": now,
            },
        )
        # A newer version closes the open generation of this flow as "regenerated".
        await outcomes.generated(session, KIND, flow_id, made.llm_call_id, now)


def _moved_on(flow: FlowView) -> str:
    """Why a tap on an older card did nothing: what the flow is now."""
    if flow.status == FlowStatus.DRAFT:
        return f"Flow #{flow.id} is at version {flow.current_version} now: look at that one."
    return f"Flow #{flow.id} (version {flow.current_version}) was {flow.status.value} already."

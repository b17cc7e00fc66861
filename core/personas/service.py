"""Personas: create, read, list, update, import. Names are unique, case-insensitively."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Conflict, NotFound
from core.personas.documents import parse_persona_document
from core.personas.models import PersonaInput, PersonaPatch, PillarInput
from core.personas.views import PersonaView
from storage.repos import personas as repo


class PersonaService:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def create(self, persona: PersonaInput) -> PersonaView:
        """Raises Conflict when a persona of that name exists (in any letter case)."""
        try:
            async with self._sessions.begin() as session:
                await self._require_free_name(session, persona.name)
                row = await repo.insert(session, _persona_values(persona))
                await repo.add_pillars(session, row.id, _pillar_values(persona.content_pillars))
                return await _view(session, row.id)
        except IntegrityError:
            # Two creations raced past the name check; the unique index decided.
            raise _taken(persona.name) from None

    async def import_document(self, text: str) -> PersonaView:
        """Create a persona from a YAML or JSON document (the REST body's shape)."""
        return await self.create(parse_persona_document(text))

    async def get(self, persona_id: int) -> PersonaView:
        async with self._sessions() as session:
            return await _view(session, persona_id)

    async def find(self, name: str) -> PersonaView | None:
        async with self._sessions() as session:
            row = await repo.by_name(session, name.strip())
            return await _view(session, row.id) if row is not None else None

    async def list(self, *, offset: int = 0, limit: int = 50) -> tuple[PersonaView, ...]:
        async with self._sessions() as session:
            rows = await repo.list_all(session, offset=max(0, offset), limit=min(limit, 200))
            return tuple([await _view(session, row.id) for row in rows])

    async def update(self, persona_id: int, patch: PersonaPatch) -> PersonaView:
        """Change the given fields. Pillars are matched by name ignoring case: a known one
        gets only the fields sent and keeps its stored name; a new one is added with
        defaults for the rest. None is deleted."""
        try:
            async with self._sessions.begin() as session:
                if not await repo.touch(session, persona_id):
                    raise _missing(persona_id)
                if patch.name is not None:
                    await self._require_free_name(session, patch.name, persona_id)
                await repo.update_fields(session, persona_id, _patch_values(patch))
                await _save_pillars(session, persona_id, patch.content_pillars or [])
                return await _view(session, persona_id)
        except IntegrityError:
            raise _taken(patch.name or "") from None

    async def _require_free_name(
        self, session: AsyncSession, name: str, persona_id: int | None = None
    ) -> None:
        existing = await repo.by_name(session, name)
        if existing is not None and existing.id != persona_id:
            raise _taken(existing.name)


def _persona_values(persona: PersonaInput) -> dict[str, Any]:
    return persona.model_dump(mode="json", exclude={"content_pillars"})


def _patch_values(patch: PersonaPatch) -> dict[str, Any]:
    values = patch.model_dump(mode="json", exclude={"content_pillars"}, exclude_unset=True)
    # Only the guidelines may be cleared; a null name or config means "leave it".
    return {k: v for k, v in values.items() if v is not None or k == "brand_guidelines"}


def _pillar_values(pillars: list[PillarInput]) -> list[dict[str, Any]]:
    return [pillar.model_dump(mode="json") for pillar in pillars]


async def _save_pillars(session: AsyncSession, persona_id: int, pillars: list[PillarInput]) -> None:
    known = {row.name.casefold(): row.id for row in await repo.pillars(session, persona_id)}
    for pillar in pillars:
        if (pillar_id := known.get(pillar.name.casefold())) is not None:
            sent = pillar.model_dump(mode="json", exclude_unset=True, exclude={"name"})
            await repo.update_pillar(session, pillar_id, sent)
    new = [p for p in pillars if p.name.casefold() not in known]
    await repo.add_pillars(session, persona_id, _pillar_values(new))


def _taken(name: str) -> Conflict:
    return Conflict(f"A persona named {name!r} exists already.")


def _missing(persona_id: int) -> NotFound:
    return NotFound(f"Persona #{persona_id} does not exist.")


async def _view(session: AsyncSession, persona_id: int) -> PersonaView:
    row = await repo.get(session, persona_id)
    if row is None:
        raise _missing(persona_id)
    return PersonaView.from_rows(row, await repo.pillars(session, persona_id))

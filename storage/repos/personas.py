"""Personas and their content pillars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import ContentPillar, Persona


def _insert(session: AsyncSession) -> Any:
    # ON CONFLICT lives in the dialect-specific insert constructs.
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def insert(session: AsyncSession, values: dict[str, Any]) -> Persona:
    """Raises IntegrityError (at flush) when the name is taken."""
    persona = Persona(**values)
    session.add(persona)
    await session.flush()
    return persona


async def get(session: AsyncSession, persona_id: int) -> Persona | None:
    # populate_existing: an UPDATE earlier in the session must show in the read.
    return await session.get(Persona, persona_id, populate_existing=True)


async def exists(session: AsyncSession, persona_id: int) -> bool:
    found = await session.scalar(select(Persona.id).where(Persona.id == persona_id))
    return found is not None


async def by_name(session: AsyncSession, name: str) -> Persona | None:
    return await session.scalar(select(Persona).where(func.lower(Persona.name) == name.lower()))


async def list_all(session: AsyncSession, *, offset: int, limit: int) -> list[Persona]:
    rows = await session.scalars(select(Persona).order_by(Persona.name).offset(offset).limit(limit))
    return list(rows)


async def update_fields(session: AsyncSession, persona_id: int, values: dict[str, Any]) -> bool:
    if not values:
        return await exists(session, persona_id)
    statement = (
        update(Persona)
        .where(Persona.id == persona_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def pillars(session: AsyncSession, persona_id: int) -> list[ContentPillar]:
    rows = await session.scalars(
        select(ContentPillar)
        .where(ContentPillar.persona_id == persona_id)
        .order_by(ContentPillar.priority.desc(), ContentPillar.name)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def touch(session: AsyncSession, persona_id: int) -> bool:
    """Mark the persona updated; False if it does not exist.

    Its row stays locked until commit (on SQLite, the whole database), so two edits of one
    persona run one after the other and each sees the other's pillars.
    """
    statement = (
        update(Persona)
        .where(Persona.id == persona_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def add_pillars(
    session: AsyncSession, persona_id: int, pillars: Sequence[dict[str, Any]]
) -> None:
    """Insert whole pillar rows (every column given); a name the persona has is skipped."""
    if not pillars:
        return
    rows = [{**pillar, "persona_id": persona_id} for pillar in pillars]
    statement = _insert(session)(ContentPillar).values(rows)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["persona_id", "name"]))


async def update_pillar(session: AsyncSession, pillar_id: int, values: dict[str, Any]) -> None:
    """Set only the given columns of one pillar."""
    if values:
        await session.execute(
            update(ContentPillar)
            .where(ContentPillar.id == pillar_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def ensure_pillars(session: AsyncSession, persona_id: int, names: Sequence[str]) -> set[str]:
    """Create the named pillars that do not exist yet; returns the names created.

    ON CONFLICT DO NOTHING makes two campaigns that add the same new pillar at once both
    succeed: one inserts it, the other finds it.
    """
    if not names:
        return set()
    rows = [{"persona_id": persona_id, "name": name} for name in names]
    statement = (
        _insert(session)(ContentPillar)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["persona_id", "name"])
        .returning(ContentPillar.name)
    )
    return set((await session.scalars(statement)).all())

"""Brands: reads, the upsert per persona or per name, and the one-default switch."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import Brand, Persona


async def get(session: AsyncSession, brand_id: int) -> Brand | None:
    # populate_existing: an UPDATE earlier in the session must show in the read.
    return await session.get(Brand, brand_id, populate_existing=True)


async def for_persona(session: AsyncSession, persona_id: int) -> Brand | None:
    return await session.scalar(
        select(Brand)
        .where(Brand.persona_id == persona_id)
        .execution_options(populate_existing=True)
    )


async def default(session: AsyncSession) -> Brand | None:
    return await session.scalar(
        select(Brand).where(Brand.is_default.is_(True)).execution_options(populate_existing=True)
    )


async def without_persona(session: AsyncSession, name_key: str) -> Brand | None:
    return await session.scalar(
        select(Brand)
        .where(Brand.persona_id.is_(None), Brand.name_key == name_key)
        .execution_options(populate_existing=True)
    )


async def any_exists(session: AsyncSession) -> bool:
    return await session.scalar(select(Brand.id).limit(1)) is not None


async def list_with_personas(session: AsyncSession) -> list[tuple[Brand, str | None]]:
    """Every brand with its persona's name; the default first, then by name."""
    rows = await session.execute(
        select(Brand, Persona.name)
        .outerjoin(Persona, Persona.id == Brand.persona_id)
        .order_by(Brand.is_default.desc(), Brand.name_key, Brand.id)
        .execution_options(populate_existing=True)
    )
    return [(brand, name) for brand, name in rows]


async def persona_name(session: AsyncSession, persona_id: int | None) -> str | None:
    if persona_id is None:
        return None
    return await session.scalar(select(Persona.name).where(Persona.id == persona_id))


async def insert(session: AsyncSession, values: dict[str, Any]) -> Brand:
    """Raises IntegrityError (at flush) when the persona, the name or the default is taken."""
    brand = Brand(**values)
    session.add(brand)
    await session.flush()
    return brand


async def update_fields(session: AsyncSession, brand_id: int, values: dict[str, Any]) -> bool:
    """Set the given columns; False when the brand does not exist."""
    result = await session.execute(
        update(Brand)
        .where(Brand.id == brand_id)
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def delete(session: AsyncSession, brand_id: int) -> bool:
    """False when the brand does not exist. A /write brief naming it loses the link
    (contents.brand_id is ON DELETE SET NULL); crew reviews keep their own copy."""
    result = await session.execute(
        sql_delete(Brand).where(Brand.id == brand_id).execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def make_default(session: AsyncSession, brand_id: int, actor: str) -> bool:
    """Move the default mark to `brand_id` (clear first: the partial unique index allows one)."""
    await session.execute(
        update(Brand)
        .where(Brand.is_default.is_(True), Brand.id != brand_id)
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )
    return await update_fields(session, brand_id, {"is_default": True, "updated_by": actor})

"""A /write piece someone keeps (📝 Make a post) is remembered once, however many taps,
under its persona's brand (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands import BrandService
from core.content.service import ContentService
from core.memory.embedder import BundledEmbedder
from domain.memory import MemoryKind
from tests.campaigns.helpers import MutableClock
from tests.memory_product.conftest import connected
from tests.write.fakes import AT, FakeCrew
from tests.write.test_service import ask


async def test_a_kept_piece_is_remembered_once(
    session_factory: async_sessionmaker[AsyncSession], bundled: BundledEmbedder
) -> None:
    clock, crew = MutableClock(AT), FakeCrew()
    memory, recorder, _ = connected(session_factory, clock, bundled)
    content = ContentService(
        session_factory, clock, crew, BrandService(session_factory), memory=recorder
    )
    view = await content.create(ask(), source="telegram", created_by=7)
    assert await memory.get(MemoryKind.CONTENT, view.id) is None  # written, not kept yet
    crew.finish(view.id)
    await asyncio.gather(*(content.make_post(view.id, 7) for _ in range(3)))
    remembered = await memory.get(MemoryKind.CONTENT, view.id)
    assert remembered is not None and remembered.outcome == "approved"
    assert remembered.text == "Live lighter today: five easy swaps for a greener home."
    assert remembered.label.startswith("the social media post of ")
    assert await memory.embed_pending() == 1  # one row, not three

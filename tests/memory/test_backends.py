"""The same remembered items give the same answers on SQLite and PostgreSQL, and the exact
search ranks exactly as a brute-force cosine does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.memory.embedder import BundledEmbedder
from core.memory.index import Vectors, top_k
from core.memory.service import MemoryService
from domain.memory import MemoryEvent as E
from domain.memory import MemoryKind as K
from storage.base import Base
from storage.db import make_engine, make_session_factory
from storage.models import Persona
from storage.repos.memory import Scope
from tests.conftest import _admin_execute
from tests.memory.conftest import MovableClock

TEXTS = [
    "Spring sale: 20% off all sneakers this weekend only.",
    "Our new running sneakers just arrived in store.",
    "Five steps to the perfect pour-over coffee at home.",
    "Join our free webinar on email automation this Thursday.",
    "Last chance: the spring sneaker sale ends tonight at midnight.",
    "Thanks for your order! It ships tomorrow.",
    "Free shipping on every order over 50 euros this month.",
    "Meet the team behind our coffee roastery.",
]
QUERIES = ["sneaker discount this weekend", "coffee brewing tips", "shipping costs"]
# Drafts repeating item 0 (the shop's) and item 4 (persona A's).
REPEATS = [
    "Spring sale: 20 % off all sneakers, this weekend only!",
    "Last chance: our spring sneaker sale ends at midnight tonight.",
]


async def _engine(url: str) -> AsyncEngine:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return engine


@pytest.fixture
async def both(
    sqlite_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    pg_url: str = request.getfixturevalue("pg_session_url")
    await _admin_execute(pg_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    engines = (await _engine(sqlite_url), await _engine(pg_url))
    yield engines
    for engine in engines:
        await engine.dispose()


async def _personas(engine: AsyncEngine) -> list[int]:
    async with make_session_factory(engine)() as session:
        personas = [Persona(name=name, caption_config={}, hashtag_strategy={}) for name in "AB"]
        session.add_all(personas)
        await session.commit()
        return [persona.id for persona in personas]


async def _near(memory: MemoryService, draft: str, persona: int | None) -> int | None:
    found = await memory.near_repeat(draft, persona_id=persona)
    return found.item.item_id if found is not None else None


async def _answers(engine: AsyncEngine, bundled: BundledEmbedder, clock: MovableClock) -> list:  # type: ignore[type-arg]
    """Items of the shop (no persona), of persona A and of persona B; the same searches
    without a persona (every item), for A (A's and the shop's) and for B."""
    memory = MemoryService(make_session_factory(engine), clock, bundled)
    kinds = [K.POST, K.SUGGESTION, K.SEQUENCE_EMAIL, K.SMS]
    owners: list[int | None] = [None, *await _personas(engine)]
    for i, text in enumerate(TEXTS):
        await memory.remember(
            kind=kinds[i % 4], item_id=i, persona_id=owners[i % 3], text=text, label=f"#{i}",
            event=E.APPROVED,
        )  # fmt: skip
        clock.move(days=1)
    await memory.embed_pending()
    answers: list[Any] = []
    for persona in owners:
        for query in QUERIES:
            for kinds_ in (None, [K.POST, K.SMS]):
                found = await memory.similar(
                    query, persona_id=persona, kinds=kinds_, k=4, within_days=6
                )
                answers.append([(m.item.kind, m.item.item_id) for m in found])
                answers.append([round(m.similarity, 5) for m in found])
        answers.append([await _near(memory, draft, persona) for draft in REPEATS])
        best = await memory.best_accepted(persona_id=persona, kinds=[K.POST, K.SMS], k=8)
        answers.append([item.item_id for item in best])
    return answers


@pytest.mark.postgres
async def test_sqlite_and_postgresql_answer_the_same(
    both: tuple[AsyncEngine, AsyncEngine], bundled: BundledEmbedder
) -> None:
    sqlite, postgres = both
    start = datetime(2026, 10, 1, tzinfo=UTC)
    on_sqlite = await _answers(sqlite, bundled, MovableClock(start))
    on_postgres = await _answers(postgres, bundled, MovableClock(start))
    assert on_sqlite == on_postgres
    # Item i belongs to nobody (the shop) when i % 3 == 0, to A when 1, to B when 2.
    everyone, for_a, for_b = (on_sqlite[j * 14 : (j + 1) * 14] for j in range(3))
    # No persona: every item. The window (6 days back from day 8) leaves items 2-7; 4 is
    # the sneaker sale there.
    assert everyone[0][:1] == [(K.POST, 4)]
    assert [item_id for _, item_id in everyone[2]] == [4, 3, 7]  # posts and SMS only
    assert all(len(everyone[j]) == 4 for j in range(0, 12, 4))
    # A (items 1, 4, 7) and the shop (0, 3, 6); B (2, 5) and the shop.
    assert {item_id for answer in for_a[:12:2] for _, item_id in answer} <= {0, 1, 3, 4, 6, 7}
    assert {item_id for answer in for_b[:12:2] for _, item_id in answer} <= {0, 2, 3, 5, 6}
    assert [item_id for _, item_id in for_a[2]] == [4, 3, 7]
    assert [item_id for _, item_id in for_b[2]] == [3]  # B has no post or SMS in the window
    # A repeat of the shop's item is flagged for everyone; of A's item, not for B.
    assert (everyone[12], for_a[12], for_b[12]) == ([0, 4], [0, 4], [0, None])
    assert for_a[13] == [7, 4, 3, 0] and for_b[13] == [3, 0]  # best_accepted: the same scope


def test_exact_search_is_brute_force_cosine(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((500, 32)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix[10] = matrix[20]  # a tie: the older row first
    kinds = np.array(["post", "sms"] * 250)
    vectors = Vectors(
        ids=np.arange(1, 501, dtype=np.int64), kinds=kinds,
        item_ids=np.arange(500, dtype=np.int64), at=np.arange(500, dtype=np.float64),
        matrix=matrix, alive=np.ones(500, dtype=bool),
    )  # fmt: skip
    query = matrix[20] + 0.01 * rng.standard_normal(32).astype(np.float32)
    query /= np.linalg.norm(query)
    scope = Scope(persona_id=None, model="m")
    found = top_k(vectors, scope, query, 10)
    brute = sorted(range(500), key=lambda i: (-float(matrix[i] @ query), i))[:10]
    assert [row_id for row_id, _ in found] == [i + 1 for i in brute]
    assert [row_id for row_id, _ in found][:2] == [11, 21]
    posts = top_k(vectors, Scope(persona_id=None, model="m", kinds=["post"]), query, 500)
    assert len(posts) == 250 and all(kinds[row_id - 1] == "post" for row_id, _ in posts)
    assert top_k(vectors, scope, query[:16], 10) == []  # another model's dimensions

"""PostgreSQL with pgvector: migration 0017 builds the HNSW index, queries use it, and it
answers as the exact search does (filtered searches that come back short go exact).
Skipped with the reason where the server has no pgvector (Debian bookworm's archive has
no package for it; scripts/pgvector.sh installs it where apt has one)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import SystemClock
from core.memory.embedder import BundledEmbedder
from core.memory.index import ExactIndex, PgVectorIndex
from core.memory.service import MemoryService
from domain.memory import BUNDLED_DIMS, MemoryEvent, MemoryKind
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import MemoryItem, Persona
from storage.models.memory import F32, PGVECTOR_INDEX
from storage.repos import memory as repo
from storage.repos.memory import Scope
from tests.conftest import _admin_execute
from tests.memory.conftest import MovableClock

pytestmark = pytest.mark.postgres
ROWS = 2000
AT = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
async def pg(pg_session_url: str) -> AsyncIterator[AsyncEngine]:
    await _admin_execute(pg_session_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    engine = make_engine(pg_session_url)
    async with engine.connect() as conn:
        available = await conn.scalar(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        )
    if available is None:
        await engine.dispose()
        pytest.skip("pgvector is not installed in this PostgreSQL (scripts/pgvector.sh)")
    await migrate.upgrade(engine, "head")
    yield engine
    await engine.dispose()


def _unit(rng: np.random.Generator, n: int) -> F32:
    matrix = rng.standard_normal((n, BUNDLED_DIMS)).astype(np.float32)
    unit: F32 = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return unit


async def _fill(engine: AsyncEngine, matrix: F32) -> list[int]:
    """Rows of the shop (no persona, i % 3 == 0) and of two personas; their ids."""
    async with make_session_factory(engine)() as session:
        personas = [Persona(name=name, caption_config={}, hashtag_strategy={}) for name in "AB"]
        session.add_all(personas)
        await session.flush()
        owners = [None, *(persona.id for persona in personas)]
        session.add_all(
            MemoryItem(
                kind="post" if i % 10 else "sms", item_id=i, persona_id=owners[i % 3], text=f"t{i}",
                text_hash=f"{i}", label=f"#{i}", outcome="approved", at=AT, model="m",
                dims=BUNDLED_DIMS, embedding=vector, embed_attempts=0,
            )
            for i, vector in enumerate(matrix)
        )  # fmt: skip
        await session.commit()
        return [persona.id for persona in personas]


async def test_the_migration_builds_the_hnsw_index_and_queries_use_it(pg: AsyncEngine) -> None:
    async with pg.connect() as conn:
        definition = await conn.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": PGVECTOR_INDEX}
        )
        await conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in await conn.execute(
                text(
                    "EXPLAIN SELECT id FROM memory_items WHERE dims = 384 ORDER BY"
                    " (embedding::vector(384)) <=> CAST(:q AS vector(384)) LIMIT 5"
                ),
                {"q": "[" + ",".join(["0.05"] * 384) + "]"},
            )
        )
    assert definition is not None and "hnsw" in definition and "vector_cosine_ops" in definition
    assert PGVECTOR_INDEX in plan


async def test_hnsw_answers_as_the_exact_search_does(pg: AsyncEngine) -> None:
    rng = np.random.default_rng(16)
    matrix = _unit(rng, ROWS)
    personas = await _fill(pg, matrix)
    exact = ExactIndex(SystemClock())
    hnsw = PgVectorIndex(exact, indexed_dims=BUNDLED_DIMS, iterative=True)
    sessions = make_session_factory(pg)
    # Every row (no persona), and a persona's rows with the shop's (none of the other's).
    seen = {None: {0, 1, 2}, personas[0]: {0, 1}, personas[1]: {0, 2}}
    for probe, persona, kinds in itertools.product(
        (3, 500, 1999), (None, *personas), (None, ["sms"])
    ):
        query = matrix[probe] + 0.3 * _unit(rng, 1)[0]
        query /= np.linalg.norm(query)
        scope = Scope(persona_id=persona, model="m", kinds=kinds)
        async with sessions() as session, session.begin():
            approx = await hnsw.search(session, scope, query, k=10)
        async with sessions() as session:
            truth = await exact.search(session, scope, query, k=10)
        assert [i for i, _ in approx] == [i for i, _ in truth]
        async with sessions() as session, session.begin():  # the index alone, no fallback
            direct = await repo.pgvector_search(
                session, scope, query, k=10, ef_search=400, iterative=True
            )
        assert [i for i, _ in direct] == [i for i, _ in truth]
        assert np.allclose([s for _, s in approx], [s for _, s in truth], atol=1e-5)
        assert len(truth) == 10 and {(i - 1) % 3 for i, _ in truth} <= seen[persona]


async def test_a_role_that_may_not_create_the_extension_still_migrates(
    pg: AsyncEngine, pg_session_url: str
) -> None:
    # Names of this run: parallel test sessions share the server.
    suffix = uuid.uuid4().hex[:8]
    role, database = f"memory_plain_{suffix}", f"memory_plain_db_{suffix}"
    server = make_url(pg_session_url)
    admin = server.set(database="postgres").render_as_string(hide_password=False)
    await _admin_execute(
        admin, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"DROP ROLE IF EXISTS {role}",
        f"CREATE ROLE {role} LOGIN", f"CREATE DATABASE {database} OWNER {role}",
    )  # fmt: skip
    url = server.set(username=role, password=None, database=database)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        await migrate.upgrade(engine, "head")  # pgvector is not trusted: refused, not fatal
        async with engine.connect() as conn:
            extension = await conn.scalar(
                text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
            )
            index = await conn.scalar(
                text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": PGVECTOR_INDEX}
            )
        assert (extension, index) == (None, None)
    finally:
        await engine.dispose()
        await _admin_execute(
            admin, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"DROP ROLE IF EXISTS {role}"
        )


async def test_the_service_chooses_hnsw_and_answers_through_it(
    pg: AsyncEngine, bundled: BundledEmbedder, clock: MovableClock
) -> None:
    memory = MemoryService(make_session_factory(pg), clock, bundled)
    assert await memory.backend() == "pgvector-hnsw"
    texts = [
        "Spring sale: 20% off sneakers",
        "Pour-over coffee in five steps",
        "Free webinar Thursday",
    ]
    for item_id, words in enumerate(texts):
        await memory.remember(
            kind=MemoryKind.POST, item_id=item_id, persona_id=None, text=words, label=f"#{item_id}",
            event=MemoryEvent.APPROVED,
        )  # fmt: skip
    await memory.embed_pending()
    found = await memory.similar("sneakers on sale, 20 percent off", persona_id=None, k=2)
    assert len(found) == 2 and found[0].item.item_id == 0 and found[0].similarity > 0.7
    repeat = await memory.near_repeat("Spring sale: 20 % off all sneakers", persona_id=None)
    assert repeat is not None and repeat.item.item_id == 0
    everything = await memory.similar("coffee", persona_id=None, k=10)  # fewer than k: exact
    assert len(everything) == 3 and everything[0].item.item_id == 1

"""Benchmark: semantic memory (issue 16) — search, embedding throughput, the model's RSS.

    .venv/bin/python bench/memory.py                   # everything, 100,000 vectors
    .venv/bin/python bench/memory.py --rows 20000 --skip-pg
    .venv/bin/python bench/memory.py --model-only      # embedding throughput and RSS

(Not bench_memory.py: that one measures the whole bot's RSS.)

1. Top-10 over ROWS stored 384-d unit vectors, half of them one persona's and half the
   shop's (no persona: post ideas, replies, sequence emails), QUERIES queries near stored
   ones. The persona's search sees both halves (the worst case: every vector in scope,
   in two stores of the exact search); the search without a persona sees every item:
   - numpy-exact on SQLite: core.memory.index.ExactIndex as the service runs it (the
     change check of each store against the database, then the cached matrices), warm;
   - pgvector HNSW on PostgreSQL (when the server has pgvector): PgVectorIndex, with its
     recall@10 against the exact answer;
   - exact on PostgreSQL as the baseline: the same query with index scans off.
   p50/p95 in ms; target p95 <= 20 ms on each backend.
2. Embedding throughput of the bundled model (numpy, this machine's cores): texts/s for
   TEXTS marketing texts embedded in the job's batches of 64, and one query's latency.
3. RSS added by the model: a fresh interpreter reads VmRSS (/proc/self/status) after
   importing numpy and tokenizers, then after loading the model and embedding 100
   texts; target <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from core.clock import SystemClock  # noqa: E402
from core.memory.bert import F32, MiniLM  # noqa: E402
from core.memory.embedder import bundled_model_folder  # noqa: E402
from core.memory.index import EF_SEARCH, ExactIndex, PgVectorIndex  # noqa: E402
from domain.memory import BUNDLED_DIMS  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.models import MemoryItem, Persona  # noqa: E402
from storage.models.memory import PGVECTOR_INDEX  # noqa: E402
from storage.repos.memory import Scope  # noqa: E402

PG_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
PG_DB = "bench_semantic_memory"
MODEL = "bench"
PERSONA = 1  # even rows are its own, odd rows the shop's
SCOPES: dict[str, int | None] = {"persona + shop": PERSONA, "no persona (all)": None}
AT = datetime(2026, 10, 1, tzinfo=UTC)
QUERIES = 200
TOPICS = 2000
TEXTS = 512

RSS_SCRIPT = """
import json, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import numpy, tokenizers
from pathlib import Path
from core.memory.bert import MiniLM
before = rss()
model = MiniLM(Path(sys.argv[1]))
model.embed([f"Spring sale {i}: 20% off sneakers, free shipping over $50." for i in range(100)])
print(json.dumps({"before": before, "after": rss()}))
"""


def unit_rows(rng: np.random.Generator, n: int) -> F32:
    matrix = rng.standard_normal((n, BUNDLED_DIMS)).astype(np.float32)
    out: F32 = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return out


def clustered(rng: np.random.Generator, n: int) -> F32:
    """Stored vectors as real ones are: grouped by topic (TOPICS centres), not uniform
    noise, on which every neighbour is as far as the next and no index can rank them."""
    centres = unit_rows(rng, TOPICS)
    matrix = centres[rng.integers(0, TOPICS, n)] + 0.04 * rng.standard_normal((n, BUNDLED_DIMS))
    out: F32 = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    return out


def queries_near(rng: np.random.Generator, matrix: F32) -> list[F32]:
    """A reworded stored item: cosine ~0.9 with it, as a near-repeat is."""
    picks = rng.integers(0, matrix.shape[0], QUERIES)
    out = []
    for i in picks:
        q = matrix[i] + 0.025 * rng.standard_normal(BUNDLED_DIMS).astype(np.float32)
        out.append((q / np.linalg.norm(q)).astype(np.float32))
    return out


def summary(ms: list[float]) -> str:
    p95 = statistics.quantiles(ms, n=20)[18]
    return f"p50 {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms"


def _row(i: int, vector: F32) -> dict[str, object]:
    return {
        "kind": "post", "item_id": i, "persona_id": None if i % 2 else PERSONA,
        "text": f"item {i}",
        "text_hash": str(i), "label": f"#{i}", "outcome": "approved", "at": AT, "model": MODEL,
        "dims": BUNDLED_DIMS, "embedding": vector, "embed_attempts": 0, "created_at": AT,
        "updated_at": AT,
    }  # fmt: skip


async def fill(engine: AsyncEngine, matrix: F32) -> None:
    chunk = 5000
    async with engine.begin() as conn:
        values = {"id": PERSONA, "name": "Bench", "caption_config": {}, "hashtag_strategy": {}}
        await conn.execute(insert(Persona).values(values))
        for start in range(0, matrix.shape[0], chunk):
            rows = [_row(i, matrix[i]) for i in range(start, min(start + chunk, len(matrix)))]
            await conn.execute(insert(MemoryItem), rows)


async def timed(
    engine: AsyncEngine,
    search: Callable[..., Awaitable[list[tuple[int, float]]]],
    queries: list[F32],
    persona: int | None = PERSONA,
) -> tuple[list[float], list[list[int]]]:
    sessions = make_session_factory(engine)
    scope = Scope(persona_id=persona, model=MODEL)
    async with sessions() as session, session.begin():
        await search(session, scope, queries[0], k=10)  # warm: cache, plans, pages
    times, answers = [], []
    for query in queries:
        async with sessions() as session, session.begin():
            started = time.perf_counter()
            found = await search(session, scope, query, k=10)
            times.append((time.perf_counter() - started) * 1000)
        answers.append([row_id for row_id, _ in found])
    return times, answers


async def exact_on_postgres(session, scope, query, k):  # type: ignore[no-untyped-def]
    from storage.repos import memory as repo

    await session.execute(text("SET LOCAL enable_indexscan = off"))
    return await repo.pgvector_search(session, scope, query, k=k, ef_search=40, iterative=False)


async def bench_sqlite(matrix: F32, queries: list[F32]) -> dict[str, list[list[int]]]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
        await migrate.upgrade(engine, "head")
        started = time.perf_counter()
        await fill(engine, matrix)
        print(f"  SQLite: {matrix.shape[0]:,} rows stored in {time.perf_counter() - started:.1f} s")
        exact = ExactIndex(SystemClock())
        started = time.perf_counter()
        await timed(engine, exact.search, queries[:1])
        print(
            f"  numpy-exact: first query (loads the matrix) {time.perf_counter() - started:.2f} s"
        )
        truth = {}
        for name, persona in SCOPES.items():
            times, truth[name] = await timed(engine, exact.search, queries, persona)
            print(f"  numpy-exact on SQLite, top-10, {name}: {summary(times)}")
        await engine.dispose()
        return truth


async def bench_postgres(
    matrix: F32, queries: list[F32], truth: dict[str, list[list[int]]]
) -> None:
    admin = make_engine(PG_ADMIN)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        await conn.execute(text(f"CREATE DATABASE {PG_DB}"))
    await admin.dispose()
    engine = make_engine(PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB)
    try:
        await migrate.upgrade(engine, "head")
        async with engine.connect() as conn:
            version = await conn.scalar(
                text("SELECT extversion FROM pg_extension WHERE extname='vector'")
            )
        if version is None:
            print(
                "  PostgreSQL: no pgvector in this server; HNSW not measured (scripts/pgvector.sh)"
            )
            return
        await load_and_index(engine, matrix)
        hnsw = PgVectorIndex(ExactIndex(SystemClock()), indexed_dims=BUNDLED_DIMS, iterative=True)
        measured: dict[str, list[float]] = {}
        for name, persona in SCOPES.items():
            measured[name], answers = await timed(engine, hnsw.search, queries, persona)
            pairs = list(zip(answers, truth[name], strict=True))
            recall = np.mean([len(set(a) & set(t)) / 10 for a, t in pairs])
            first = np.mean([a[:1] == t[:1] for a, t in pairs])
            print(f"  pgvector {version} HNSW, top-10, {name}: {summary(measured[name])}")
            print(f"    recall@10 {recall:.3f}, top-1 as exact {first:.3f} (ef_search {EF_SEARCH})")
        times = measured["persona + shop"]
        base, _ = await timed(engine, exact_on_postgres, queries[:40])
        ratio = statistics.quantiles(base, n=20)[18] / statistics.quantiles(times, n=20)[18]
        print(f"  exact on PostgreSQL (index off), top-10: {summary(base)}")
        print(f"  HNSW p95 is {ratio:.1f}x faster than exact on PostgreSQL")
    finally:
        await engine.dispose()
        admin = make_engine(PG_ADMIN)
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        await admin.dispose()


async def load_and_index(engine: AsyncEngine, matrix: F32) -> None:
    """Load first, index after (as pgvector advises): drop 0017's index, rebuild it."""
    async with engine.begin() as conn:
        definition = await conn.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": PGVECTOR_INDEX}
        )
        await conn.execute(text(f"DROP INDEX {PGVECTOR_INDEX}"))
    started = time.perf_counter()
    await fill(engine, matrix)
    loaded = time.perf_counter() - started
    async with engine.begin() as conn:
        await conn.execute(text("SET maintenance_work_mem = '1GB'"))
        started = time.perf_counter()
        await conn.execute(text(definition))
        await conn.execute(text("ANALYZE memory_items"))
    built = time.perf_counter() - started
    print(f"  PostgreSQL: rows stored in {loaded:.1f} s, HNSW built in {built:.1f} s")


def bench_embedding(folder: Path) -> None:
    model = MiniLM(folder)
    subjects = ["sneakers", "coffee", "the webinar", "our app", "knitwear", "yoga retreat"]
    texts = [
        f"{['Spring sale', 'Last chance', 'New in', 'This week'][i % 4]}: {subjects[i % 6]} "
        f"{i}% off, free shipping over ${20 + i % 80}. Order before Friday and tell a friend!"
        for i in range(TEXTS)
    ]
    model.embed(texts[:8])  # warm
    started = time.perf_counter()
    for start in range(0, TEXTS, 64):
        model.embed(texts[start : start + 64])
    elapsed = time.perf_counter() - started
    single = []
    for text_ in texts[:50]:
        t0 = time.perf_counter()
        model.embed([text_])
        single.append((time.perf_counter() - t0) * 1000)
    cores = len(os.sched_getaffinity(0))
    print(f"  {TEXTS / elapsed:.0f} texts/s in batches of 64 ({cores} cores)")
    print(f"  one query text: {summary(single)}")


def bench_rss(folder: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(folder)], cwd=ROOT, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    rss = json.loads(done.stdout.splitlines()[-1])
    added = rss["after"] - rss["before"]
    print(f"  RSS {rss['before']:.1f} MiB with numpy and tokenizers imported")
    print(f"  {rss['after']:.1f} MiB after the model and 100 texts: +{added:.1f} MiB")


async def main(args: argparse.Namespace) -> int:
    folder = bundled_model_folder()
    if folder is None:
        print("the bundled model is not installed (scripts/_venv.sh install_embedding_model)")
        return 1
    rng = np.random.default_rng(16)
    matrix = clustered(rng, args.rows)
    queries = queries_near(rng, matrix)
    if not args.model_only:
        print(f"Search: top-10 over {args.rows:,} x {BUNDLED_DIMS} vectors, {QUERIES} queries")
        truth = await bench_sqlite(matrix, queries)
        if not args.skip_pg:
            await bench_postgres(matrix, queries, truth)
    print("Embedding (bundled all-MiniLM-L6-v2, numpy):")
    bench_embedding(folder)
    print("Model memory:")
    bench_rss(folder)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--model-only", action="store_true", help="only throughput and RSS")
    sys.exit(asyncio.run(main(parser.parse_args())))

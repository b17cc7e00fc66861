"""The database one benchmark run writes to: a SQLite file in a folder the run owns, or a
scratch PostgreSQL database created on BENCH_POSTGRES_URL's server and dropped afterwards
(WITH (FORCE), so a run that failed half-way, connections still open, leaves nothing).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def scratch_database(postgres: bool, folder: Path) -> AsyncIterator[str]:
    """Yields the URL: `folder`/bench.db, or a fresh PostgreSQL database."""
    if not postgres:
        yield f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        return
    async with postgres_database() as url:
        yield url


@asynccontextmanager
async def postgres_database(prefix: str = "copilot_bench") -> AsyncIterator[str]:
    """A database named `<prefix>_<random>` on PG_URL's server for the block; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await admin(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def admin(statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()

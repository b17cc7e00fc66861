"""The SQLite engine: aiosqlite one thread trip per statement, one queued connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine


@pytest.fixture
async def counter_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        await conn.execute(text("INSERT INTO t (id, n) VALUES (1, 0)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to an aiosqlite worker thread, in order."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", type(fn).__name__))
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_one_statement_transaction_is_two_trips(
    counter_engine: AsyncEngine, trips: list[str]
) -> None:
    async with counter_engine.begin() as conn:
        row = (await conn.execute(text("UPDATE t SET n = n + 1 RETURNING n"))).one()
    # SQLAlchemy's own adapter takes six: cursor, execute, fetchall, close, commit, rollback.
    assert (row.n, trips) == (1, ["_run", "commit"])


async def test_a_read_only_connection_goes_back_without_a_trip(
    counter_engine: AsyncEngine, trips: list[str]
) -> None:
    async with counter_engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM t"))).scalar_one() == 0
    assert trips == ["_run"]  # no rollback trip: SQLite had no transaction open


async def test_rows_rowcount_lastrowid_and_executemany(counter_engine: AsyncEngine) -> None:
    async with counter_engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (n) VALUES (5)"))
        assert inserted.lastrowid == 2
        await conn.execute(text("INSERT INTO t (n) VALUES (:n)"), [{"n": 7}, {"n": 9}])
        updated = await conn.execute(text("UPDATE t SET n = n * 2 WHERE n > 6"))
        assert updated.rowcount == 2
        rows = (await conn.execute(text("SELECT id, n FROM t ORDER BY id"))).all()
    assert [tuple(r) for r in rows] == [(1, 0), (2, 5), (3, 14), (4, 18)]


async def test_errors_are_sqlalchemys_and_roll_the_transaction_back(
    counter_engine: AsyncEngine,
) -> None:
    async def update_then_clash() -> None:
        async with counter_engine.begin() as conn:
            await conn.execute(text("UPDATE t SET n = 41"))
            await conn.execute(text("INSERT INTO t (id, n) VALUES (1, 1)"))

    with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
        await update_then_clash()
    async with counter_engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM t WHERE id = 1"))).scalar_one() == 0


async def test_concurrent_writers_queue_for_the_one_connection(
    counter_engine: AsyncEngine,
) -> None:
    """50 read-modify-write transactions at once: none is lost, none sees 'locked'."""

    async def increment() -> None:
        async with counter_engine.begin() as conn:
            n = (await conn.execute(text("SELECT n FROM t WHERE id = 1"))).scalar_one()
            await asyncio.sleep(0)  # let the others try to get in between
            await conn.execute(text("UPDATE t SET n = :n WHERE id = 1"), {"n": n + 1})

    await asyncio.gather(*(increment() for _ in range(50)))
    async with counter_engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM t WHERE id = 1"))).scalar_one() == 50


# -- AUTOCOMMIT units of work (storage.db.autocommit) ----------------------------------------


async def test_an_autocommit_statement_is_one_trip_in_all(
    counter_engine: AsyncEngine, trips: list[str]
) -> None:
    autocommit = counter_engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        row = (await conn.execute(text("UPDATE t SET n = n + 1 RETURNING n"))).one()
    # Setting AUTOCOMMIT and restoring the default afterwards ride along with statements.
    assert (row.n, trips) == (1, ["_run"])
    async with counter_engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM t"))).scalar_one() == 1


async def test_the_default_comes_back_after_autocommit(
    counter_engine: AsyncEngine, trips: list[str]
) -> None:
    autocommit = counter_engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        await conn.execute(text("UPDATE t SET n = 10"))
    async with counter_engine.connect() as conn:
        await conn.execute(text("UPDATE t SET n = 99"))
        await conn.rollback()  # a transaction again: the write is undone
        uncommitted = (await conn.execute(text("PRAGMA read_uncommitted"))).scalar_one()
        n = (await conn.execute(text("SELECT n FROM t"))).scalar_one()
    assert (n, uncommitted) == (10, 0)
    # The restoring PRAGMA went with the next statement, not on a trip of its own.
    assert trips == ["_run", "_run", "rollback", "_run", "_run"]


async def test_without_autocommit_a_failed_unit_of_work_leaves_nothing(
    counter_engine: AsyncEngine,
) -> None:
    """The flip side, why autocommit is only for one statement: each one stands alone."""

    async def update_then_clash(engine: AsyncEngine, n: int) -> None:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE t SET n = :n"), {"n": n})
            await conn.execute(text("INSERT INTO t (id, n) VALUES (1, 1)"))

    with pytest.raises(IntegrityError):
        await update_then_clash(counter_engine.execution_options(isolation_level="AUTOCOMMIT"), 5)
    with pytest.raises(IntegrityError):
        await update_then_clash(counter_engine, 7)
    async with counter_engine.connect() as conn:
        assert (await conn.execute(text("SELECT n FROM t"))).scalar_one() == 5

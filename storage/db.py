"""Engine and session factory.

SQLite: WAL, a busy timeout, one connection, and aiosqlite driven one thread trip per
statement (storage/sqlite_driver.py). PostgreSQL: a normal pool.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_driver import OneTripDBAPI


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets another process read while we write; busy_timeout turns "database is
    # locked" into a short wait when another process (the MCP server, a migration)
    # is writing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
        # One connection, which tasks queue for in asyncio. SQLite lets one connection
        # write at a time; a second one's write waits in SQLite's busy handler, which
        # sleeps in steps of 1 to 100 ms on the driver's thread. Queueing for the one
        # connection costs microseconds instead (bench_taps: 0.37 -> 0.43 of the bare
        # bot's taps/s). An in-memory database gets SQLAlchemy's single StaticPool anyway.
        pool = {} if ":memory:" in url else {"pool_size": 1, "max_overflow": 0}
        engine = create_async_engine(url, echo=echo, module=OneTripDBAPI(), **pool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def autocommit(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Sessions on the same database whose statements each commit on their own.

    For a unit of work that is a single statement, such as a conditional UPDATE: the
    statement is atomic by itself, and there is no BEGIN or COMMIT around it. On SQLite
    that is one trip to the driver's thread instead of two, so the one connection is held
    half as long; on PostgreSQL one round trip instead of three. Never use it for two
    statements that must stand or fall together.
    """
    engine = sessions.kw["bind"]
    assert isinstance(engine, AsyncEngine), "the session factory must be bound to an engine"
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )

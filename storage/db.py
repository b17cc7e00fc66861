"""Engine and session factory.

SQLite: WAL, a busy timeout, one connection, and aiosqlite driven one thread trip per
statement (storage/sqlite_driver.py). PostgreSQL: a normal pool.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_driver import OneTripDBAPI

CONNECT_TIMEOUT_S = 10.0
# SQLSTATEs of a server that is there but takes no connections now: starting up, full.
_BUSY_STATES = frozenset({"57P03", "53300"})


class DatabaseProblem(Exception):
    """The database can't be used, said in one line that names DATABASE_URL.

    `unreachable`: no answer from the server (start it, or wait); anything else (no such
    database, a refused login, a file that is not a database) is a setting to fix.
    """

    def __init__(self, message: str, *, unreachable: bool) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def describe_database(url: str) -> str:
    """Where a URL points, for people: no password, and nothing else secret."""
    parsed = make_url(url)
    if is_sqlite(url):
        return f"the SQLite file {parsed.database}"
    return f"PostgreSQL at {_server(parsed)}, database {parsed.database!r}"


def _server(parsed: URL) -> str:
    return f"{parsed.host or 'the local socket'}:{parsed.port or 5432}"


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
        if make_url(url).database in (None, "", ":memory:"):
            # In memory: SQLAlchemy's single StaticPool, which takes no pool size.
            engine = create_async_engine(url, echo=echo, module=OneTripDBAPI())
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            return engine
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
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


async def open_engine(url: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> AsyncEngine:
    """An engine whose database has answered; DatabaseProblem when it can't be used."""
    try:
        engine = make_engine(url)
    except OSError as exc:  # the SQLite file's folder could not be made
        raise DatabaseProblem(
            f"DATABASE_URL: can't create the folder for {describe_database(url)}: "
            f"{exc.strerror or exc}",
            unreachable=False,
        ) from None
    try:
        await ping(engine, timeout_s=timeout_s)
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def ping(engine: AsyncEngine, *, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """`SELECT 1` within `timeout_s`, or a DatabaseProblem that says what to do."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        async with asyncio.timeout(timeout_s), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except TimeoutError:
        raise _unreachable(url, f"no answer within {timeout_s:g} s") from None
    except ConnectionRefusedError:
        raise _unreachable(url, "connection refused: is the server running there?") from None
    except OSError as exc:  # no route, unknown host: asyncpg's own errors
        raise _unreachable(url, exc.strerror or str(exc)) from None
    except DBAPIError as exc:
        raise _refused(url, exc) from None


def _unreachable(url: str, reason: str) -> DatabaseProblem:
    where = describe_database(url)
    return DatabaseProblem(f"can't reach {where} (DATABASE_URL): {reason}", unreachable=True)


def _refused(url: str, exc: DBAPIError) -> DatabaseProblem:
    """The server (or SQLite) answered, and said no."""
    state = getattr(exc.orig, "sqlstate", None)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    reason = reason.split(") ", 1)[-1] if reason.startswith("(") else reason
    if state in _BUSY_STATES:
        return _unreachable(url, reason)
    parsed = make_url(url)
    if state == "3D000":
        return DatabaseProblem(
            f"DATABASE_URL: PostgreSQL at {_server(parsed)} has no database "
            f"{parsed.database!r}: create it (createdb {parsed.database}) or name one "
            "that exists",
            unreachable=False,
        )
    if state is not None and state.startswith("28"):
        return DatabaseProblem(
            f"DATABASE_URL: PostgreSQL at {_server(parsed)} refused the login: {reason}",
            unreachable=False,
        )
    return DatabaseProblem(
        f"DATABASE_URL: {describe_database(url)} can't be used: {reason}", unreachable=False
    )


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

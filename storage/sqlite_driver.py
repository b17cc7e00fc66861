"""aiosqlite, with one trip to its worker thread per statement instead of four.

aiosqlite runs each SQLite connection on a worker thread, and SQLAlchemy's adapter awaits
`cursor()`, `execute()`, `fetchall()` and `close()` one by one: four round trips to
that thread for every statement, plus one for a `commit` and one for the pool's
`rollback` when the connection goes back, even when no transaction is open. A trip costs
tens of microseconds and a wake-up of the event loop, which made storing a button tap's
decision cost more than the rest of the tap together (docs/BENCHMARKS.md).

Here a statement is one function run on aiosqlite's thread (open a cursor, execute,
fetch every row, close), and `commit`/`rollback` skip the trip when SQLite has no
transaction open. Connection settings that SQLAlchemy makes around an AUTOCOMMIT unit
of work (the `isolation_level` attribute, and `PRAGMA read_uncommitted` to put it back)
wait on the connection and are applied on the thread just before its next statement,
so a one-statement unit of work in AUTOCOMMIT is one trip in all
(`storage.db.autocommit`).

Rows are fetched eagerly, as SQLAlchemy's own adapter already does; streaming
(server-side) cursors keep SQLAlchemy's adapter. It relies on two attributes
of aiosqlite's Connection that SQLAlchemy's adapter also uses (`_execute`, `_conn`).
"""

from __future__ import annotations

import collections
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT


@dataclass(frozen=True)
class _Outcome:
    rows: list[Any]
    description: Any
    rowcount: int
    lastrowid: int | None


# What SQLAlchemy's SQLite dialect runs to restore the default isolation level: it only
# changes the connection, so it can wait for the next statement's trip.
_DEFERRABLE = re.compile(r"PRAGMA read_uncommitted = [01]")

Setting = Callable[[sqlite3.Connection], object]


def _run(
    connection: aiosqlite.Connection,
    settings: list[Setting],
    operation: str,
    parameters: Any,
    many: bool,
) -> _Outcome:
    """On aiosqlite's thread: waiting settings, then the whole statement, so the loop
    waits for it once."""
    for setting in settings:
        setting(connection._conn)
    cursor = connection._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return _Outcome(rows, cursor.description, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor that holds a statement's results; the SQLite cursor lives only on the thread."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # Not super().__init__: that opens an aiosqlite cursor, a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome = _Outcome([], None, -1, None)

    @property
    def description(self) -> Any:
        return self._outcome.description

    @property
    def rowcount(self) -> int:
        return self._outcome.rowcount

    @property
    def lastrowid(self) -> Any:
        return self._outcome.lastrowid

    @property
    def arraysize(self) -> int:
        return 1  # sqlite3's default; the rows are in memory already

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        return None

    async def _async_soft_close(self) -> None:
        return None  # nothing is open: results are already in memory

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._on_thread(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._on_thread(operation, seq_of_parameters, many=True)

    async def _on_thread(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapted = self._adapt_connection
        assert isinstance(adapted, OneTripConnection)
        if not many and parameters is None and _DEFERRABLE.fullmatch(operation):
            adapted.defer(lambda sqlite: sqlite.execute(operation))
            self._outcome = _Outcome([], None, -1, None)
            self._rows = collections.deque()
            return
        async with adapted._execute_mutex:
            connection = self._connection
            settings = adapted.take_settings()
            outcome = await connection._execute(
                _run, connection, settings, operation, parameters, many
            )
        self._outcome = outcome
        self._rows = collections.deque(outcome.rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_isolation_level", "_settings")

    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # SQLAlchemy types it exactly

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._settings: list[Setting] = []
        # Read once from sqlite3 (a getter, safe off its thread); kept here from then on.
        self._isolation_level: str | None = connection.isolation_level

    @property
    def isolation_level(self) -> str | None:
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        # None is autocommit: no implicit BEGIN before a write, so no COMMIT after it.
        self._isolation_level = value
        self.defer(lambda sqlite: setattr(sqlite, "isolation_level", value))

    def defer(self, setting: Setting) -> None:
        """Apply `setting` on the thread before the next statement."""
        self._settings.append(setting)

    def take_settings(self) -> list[Setting]:
        settings, self._settings = self._settings, []
        return settings

    def commit(self) -> None:
        if self._connection.in_transaction:  # read from sqlite3, no trip
            super().commit()

    def rollback(self) -> None:
        # The pool rolls back every connection it takes back; most have nothing open.
        if self._connection.in_transaction:
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to create_async_engine for a `sqlite+aiosqlite` URL."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)

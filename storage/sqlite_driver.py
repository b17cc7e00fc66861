"""aiosqlite, with one trip to its worker thread per statement instead of four.

aiosqlite runs each SQLite connection on a worker thread, and SQLAlchemy's adapter awaits
`cursor()`, `execute()`, `fetchall()` and `close()` one by one: four round trips to
that thread for every statement, plus one for a `commit` and one for the pool's
`rollback` when the connection goes back, even when no transaction is open. A trip costs
tens of microseconds and a wake-up of the event loop, which made storing a button tap's
decision cost more than the rest of the tap together (docs/BENCHMARKS.md).

Here a statement is one function run on aiosqlite's thread (open a cursor, execute,
fetch every row, close), and `commit`/`rollback` skip the trip when SQLite has no
transaction open. Rows are fetched eagerly, as SQLAlchemy's own adapter already does;
streaming (server-side) cursors keep SQLAlchemy's adapter. It relies on two attributes
of aiosqlite's Connection that SQLAlchemy's adapter also uses (`_execute`, `_conn`).
"""

from __future__ import annotations

import collections
import sqlite3
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


def _run(connection: aiosqlite.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: the whole statement, so the loop waits for it once."""
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
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            outcome = await connection._execute(_run, connection, operation, parameters, many)
        self._outcome = outcome
        self._rows = collections.deque(outcome.rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # SQLAlchemy types it exactly

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

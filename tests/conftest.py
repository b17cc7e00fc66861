"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable) and test doubles."""

from __future__ import annotations

import os

# Must be set before anything imports litellm: otherwise it fetches its price map
# from the network at import time and spends seconds timing out here.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# As in run_bot.py: PTB's durations as timedelta, no deprecation warning on RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import asyncio
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import storage.models  # noqa: F401  (registers every table)
from core.llm import provider
from storage.base import Base
from storage.db import make_engine, make_session_factory

pytest_plugins = [
    "tests.doubles.telegram_fixtures",
    "tests.doubles.llm_fixtures",
    "tests.doubles.comfyui_fixtures",
    "tests.doubles.dovecot_fixtures",
    "tests.doubles.smtp_fixtures",
]

T = TypeVar("T")

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _postgres_required() -> bool:
    # CI must prove the PostgreSQL path; a laptop without it skips with a reason.
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"} or bool(
        os.environ.get("REQUIRE_POSTGRES")
    )


async def _postgres_reachable() -> str | None:
    engine = create_async_engine(PG_URL)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


async def _admin_execute(url: str, *statements: str) -> None:
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await admin.dispose()


def _run_in_thread(coro: Coroutine[Any, Any, T]) -> T:
    # Session fixtures are sync, but may be first requested from inside a running loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(autouse=True)
async def _litellm_clients_closed() -> AsyncIterator[None]:
    """Each test runs on its own event loop, and litellm keeps an HTTP client per loop:
    closed here, before the loop ends, rather than left for the garbage collector to find
    (as a ResourceWarning, an error here) during some later test."""
    yield
    await provider.close_clients()


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """One private PostgreSQL database per test session: parallel runs never collide."""
    problem = _run_in_thread(_postgres_reachable())
    if problem is not None:
        message = f"PostgreSQL unreachable at {PG_URL} ({problem})"
        if _postgres_required():
            pytest.fail(message + "; CI requires it", pytrace=False)
        pytest.skip(message)
    name = f"copilot_test_{uuid.uuid4().hex[:10]}"
    _run_in_thread(_admin_execute(PG_URL, f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    _run_in_thread(_admin_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database per test: a SQLite file, or a wiped PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url: str = request.getfixturevalue("pg_session_url")
    await _admin_execute(
        url,
        "DROP SCHEMA public CASCADE",
        "CREATE SCHEMA public",
    )
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(sqlite_url)
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)

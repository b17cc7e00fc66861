"""Migration 0002 alters posts without losing post_transitions, on SQLite and PostgreSQL.

On SQLite batch mode copies posts and drops the original; with foreign keys on, that DROP
would cascade into post_transitions unless the migration keeps its rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.base import UTCDateTime
from storage.db import make_engine
from tests.campaigns.helpers import NOW

INSERT_POST = (
    "INSERT INTO posts (id, status, title, caption, hashtags, created_at, updated_at) "
    "VALUES (1, 'draft', 'Kept', 'c', '[]', :at, :at)"
)
INSERT_TRANSITION = (
    "INSERT INTO post_transitions (post_id, from_status, to_status, actor, at) "
    "VALUES (1, NULL, 'draft', 'user:1', :at)"
)


def _at() -> BindParameter[datetime]:
    return bindparam("at", value=NOW, type_=UTCDateTime())


async def _count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_post_transitions_survive_upgrade_and_downgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine, "0001")
        async with engine.begin() as conn:
            await conn.execute(text(INSERT_POST).bindparams(_at()))
            await conn.execute(text(INSERT_TRANSITION).bindparams(_at()))
        await migrate.upgrade(engine, "0002")
        assert await _count(engine, "SELECT count(*) FROM post_transitions") == 1
        assert await _count(engine, "SELECT count(*) FROM posts WHERE approved_at IS NULL") == 1
        await migrate.downgrade(engine, "0001")
        assert await _count(engine, "SELECT count(*) FROM post_transitions") == 1
        assert await _count(engine, "SELECT count(*) FROM posts") == 1
    finally:
        await engine.dispose()

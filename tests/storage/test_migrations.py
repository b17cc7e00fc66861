"""Migrations: every step upgrades, downgrades and upgrades again, and head matches the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import Connection

from storage import migrate
from storage.base import Base
from storage.db import make_engine
from storage.models import Post, PostTransition
from storage.models.memory import PGVECTOR_INDEX


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _declared(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    # The pgvector HNSW index exists only where the extension does (migration 0017), so
    # the models can't declare it.
    return not (type_ == "index" and name == PGVECTOR_INDEX)


def _diff(conn: Connection) -> list[object]:
    opts = {"compare_type": True, "include_object": _declared}
    context = MigrationContext.configure(conn, opts=opts)
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"alembic_version"}


async def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1


@pytest.mark.parametrize("revision", _revisions())
async def test_stairway(database_url: str, revision: str) -> None:
    """upgrade to a revision, downgrade one step, upgrade again: each step is reversible."""
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine, revision)
        await migrate.downgrade(engine, "-1")
        await migrate.upgrade(engine, revision)
    finally:
        await engine.dispose()


async def test_head_matches_models_and_base_is_empty(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine, "head")
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        await migrate.downgrade(engine, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
    finally:
        await engine.dispose()


async def test_0005_moves_approved_text_drafts_to_ready(database_url: str) -> None:
    engine = make_engine(database_url)
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    try:
        await migrate.upgrade(engine, "0004")
        rows = [("stuck", "text", now), ("waits", "text", None), ("image", "image", now)]
        async with engine.begin() as conn:
            for title, fmt, approved in rows:
                values = {"title": title, "caption": "c", "hashtags": [], "status": "draft"}
                times = {"approved_at": approved, "created_at": now, "updated_at": now}
                await conn.execute(insert(Post).values(**values, format=fmt, **times))
        await migrate.upgrade(engine, "0005")
        async with engine.connect() as conn:
            statuses = dict((await conn.execute(select(Post.title, Post.status))).all())
            moves = (await conn.execute(select(PostTransition.actor))).scalars().all()
        assert statuses == {"stuck": "ready", "waits": "draft", "image": "draft"}
        assert moves == ["migration:0005"]
    finally:
        await migrate.downgrade(engine, "base")
        await engine.dispose()

"""Syncing templates into prompt_versions, on SQLite and PostgreSQL (via session_factory)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.prompting import PromptRegistry
from storage.db import make_engine, make_session_factory
from storage.models.prompts import PromptVersion
from storage.repos import prompts as prompt_repo
from tests.prompting.helpers import good_template, write_template

SessionFactory = async_sessionmaker[AsyncSession]


async def stored_versions(session_factory: SessionFactory, name: str = "good") -> list[int]:
    return [row.version for row in await prompt_repo.list_versions(session_factory, name)]


async def row_count(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(PromptVersion)) or 0


async def test_first_sync_creates_version_1(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    write_template(tmp_path, good_template())
    write_template(tmp_path, good_template(name="other"))
    registry = await PromptRegistry.load(tmp_path)

    assert await registry.sync(session_factory) == {"good": 1, "other": 1}

    request = registry.render("good", {"topic": "x"}, variant_key="u")
    assert request.prompt is not None
    assert request.prompt.version == 1
    stored = await prompt_repo.get_version(session_factory, "good", 1)
    assert stored is not None
    assert stored.body == registry.get("good").body
    assert stored.content_hash == registry.get("good").content_hash


async def test_unchanged_resync_keeps_the_version(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    path = write_template(tmp_path, good_template())
    await (await PromptRegistry.load(tmp_path)).sync(session_factory)
    # Comments and layout are not content: the hash is over the parsed, canonical body.
    path.write_text("# a comment\n" + path.read_text(), encoding="utf-8")

    again = await PromptRegistry.load(tmp_path)
    assert await again.sync(session_factory) == {"good": 1}
    assert await again.sync(session_factory) == {"good": 1}
    assert await row_count(session_factory) == 1


async def test_changed_text_creates_the_next_version(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    write_template(tmp_path, good_template())
    write_template(tmp_path, good_template(name="other"))
    await (await PromptRegistry.load(tmp_path)).sync(session_factory)

    write_template(tmp_path, good_template(system="You write briefly about {{ topic }}."))
    changed = await PromptRegistry.load(tmp_path)

    assert await changed.sync(session_factory) == {"good": 2, "other": 1}
    assert changed.version("good") == 2
    assert await stored_versions(session_factory) == [1, 2]


async def test_reverted_text_gets_its_old_version_back(
    session_factory: SessionFactory, tmp_path: Path
) -> None:
    for system in ("One {{ topic }}", "Two {{ topic }}", "One {{ topic }}"):
        write_template(tmp_path, good_template(system=system))
        versions = await (await PromptRegistry.load(tmp_path)).sync(session_factory)
    assert versions == {"good": 1}
    assert await stored_versions(session_factory) == [1, 2]


@pytest.mark.parametrize("replicas", [2, 4])
async def test_concurrent_sync_creates_one_version(
    session_factory: SessionFactory, tmp_path: Path, replicas: int
) -> None:
    write_template(tmp_path, good_template())
    write_template(tmp_path, good_template(name="other"))
    await (await PromptRegistry.load(tmp_path)).sync(session_factory)
    write_template(tmp_path, good_template(user="{{ items | length }} items"))
    registries = [await PromptRegistry.load(tmp_path) for _ in range(replicas)]

    results = await asyncio.gather(*(r.sync(session_factory) for r in registries))

    assert results == [{"good": 2, "other": 1}] * replicas
    assert await stored_versions(session_factory) == [1, 2]
    assert await row_count(session_factory) == 3


@pytest.mark.parametrize(
    ("other_system", "expected"),
    [
        pytest.param("You write about {{ topic }}.", {1}, id="same-content"),
        pytest.param("Different: {{ topic }}", {1, 2}, id="different-content"),
    ],
)
async def test_sync_that_loses_the_race_retries(
    session_factory: SessionFactory,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    other_system: str,
    expected: set[int],
) -> None:
    """Another replica commits between our read of the latest version and our insert."""
    # The other replica is another process: its own engine and connections.
    other_replica = make_engine(database_url)
    write_template(tmp_path / "ours", good_template())
    write_template(tmp_path / "theirs", good_template(system=other_system))
    ours = await PromptRegistry.load(tmp_path / "ours")
    theirs = await PromptRegistry.load(tmp_path / "theirs")

    real_latest = prompt_repo._latest_number
    interfered = False

    async def latest_then_interfere(session: AsyncSession, name: str) -> int:
        nonlocal interfered
        stale = await real_latest(session, name)
        if not interfered:
            interfered = True
            await theirs.sync(make_session_factory(other_replica))
        return stale

    monkeypatch.setattr(prompt_repo, "_latest_number", latest_then_interfere)

    try:
        versions = await ours.sync(session_factory)
    finally:
        await other_replica.dispose()

    assert interfered
    assert set(await stored_versions(session_factory)) == expected
    assert versions == {"good": max(expected)}

"""run_bot.py processes against the doubles: kill -9 in the middle of publishing, and three
replicas on one PostgreSQL with 1,000 posts due at once. Each post appears exactly once
in its channel, or (only when a send was cut off) is `unknown` for a human."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from storage.models import Post, PostDelivery
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.schedule_support import (
    CHANNEL,
    add_post,
    bot_env,
    prepare_schema,
    sessions_for,
    soon,
    spawn_bot,
)

Sessions = async_sessionmaker[AsyncSession]
WEBHOOK_MODE = {
    "BOT_MODE": "webhook",
    "WEBHOOK_URL": "https://bot.example/telegram/webhook",
    "TELEGRAM_WEBHOOK_SECRET": "replica-secret",
}


async def _statuses(sessions: Sessions) -> dict[int, str]:
    async with sessions() as session:
        return {i: s for i, s in await session.execute(select(Post.id, Post.status))}


async def _until_settled(sessions: Sessions, within: float) -> dict[int, str]:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        statuses = await _statuses(sessions)
        if set(statuses.values()) <= {"published", "unknown"}:
            return statuses
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not settled: {Counter(statuses.values())}")
        await asyncio.sleep(0.2)


async def _terminate(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


def _captions(api: TelegramApiDouble, chats: list[str]) -> Counter[str]:
    return Counter(str(m.get("text", "")).split("\n")[0] for c in chats for m in api.messages_in(c))


async def test_kill_9_mid_publishing_then_restart_sends_each_post_once_or_unknown(
    telegram_api: TelegramApiDouble, tmp_path: Path
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await prepare_schema(db_url)
    engine, sessions = sessions_for(db_url)
    try:
        ids = [await add_post(sessions, at=soon(1), caption=f"Post {i}") for i in range(6)]
        telegram_api.delay("sendMessage", 1.0)  # each send takes a second: a kill lands mid-send
        env = bot_env(
            telegram_api, db_url, PUBLISH_CHAT_INTERVAL_S="1", PUBLISH_SEND_TIMEOUT_S="1",
            PUBLISH_LEASE_S="3",  # a dead replica's claims come back within seconds
        )  # fmt: skip
        first = await spawn_bot(env, tmp_path)
        try:
            await telegram_api.wait_for("sendMessage", timeout=30)
            await telegram_api.wait_for("sendMessage", timeout=10)
        finally:
            first.kill()  # SIGKILL: no cleanup, a request on the wire
            await first.wait()
        in_channel_at_kill = len(telegram_api.messages_in(CHANNEL))
        telegram_api.delay("sendMessage", 0)
        second = await spawn_bot(env, tmp_path)
        try:
            statuses = await _until_settled(sessions, within=60)
        finally:
            await _terminate(second)
        await asyncio.sleep(1.5)  # a request cut off by the kill may still be answered
    finally:
        await engine.dispose()
    seen = _captions(telegram_api, [CHANNEL])
    for number, post_id in enumerate(ids):
        copies = seen[f"Post {number}"]
        if statuses[post_id] == "published":
            assert copies == 1, (post_id, copies)
        else:
            assert statuses[post_id] == "unknown" and copies <= 1
    assert (
        in_channel_at_kill
        < len(ids)
        <= sum(seen.values()) + list(statuses.values()).count("unknown")
    )
    assert list(statuses.values()).count("published") > in_channel_at_kill  # the restart sent


async def _healthy(port: str, within: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"the replica on port {port} never became healthy")


async def _fresh_schema(url: str) -> None:
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await admin.dispose()


@pytest.mark.postgres
@pytest.mark.timeout(240)
async def test_three_replicas_on_postgres_publish_1000_posts_each_exactly_once(
    telegram_api: TelegramApiDouble, tmp_path: Path, pg_session_url: str
) -> None:
    await _fresh_schema(pg_session_url)
    await prepare_schema(pg_session_url)
    engine, sessions = sessions_for(pg_session_url)
    chats = [f"@channel{n}" for n in range(50)]
    try:
        later = soon(3600)  # due once every replica is up, so they all compete for them
        async with sessions.begin() as session:
            posts = [Post(status="scheduled", title=f"P{i}", caption=f"Post {i}", hashtags=[],
                          scheduled_at=later, approved_at=later, approved_by=1)
                     for i in range(1000)]  # fmt: skip
            session.add_all(posts)
            await session.flush()
            session.add_all(
                PostDelivery(post_id=p.id, target=f"telegram:{chats[i % 50]}")
                for i, p in enumerate(posts)
            )
        replicas, ports = [], []
        for n in range(3):
            (tmp_path / f"r{n}").mkdir()
            # A replica holds at most rate × lease / 2 = 100 unsent claims: they must share.
            env = bot_env(telegram_api, pg_session_url, **WEBHOOK_MODE, PUBLISH_RATE_PER_S="40",
                          PUBLISH_LEASE_S="5")  # fmt: skip
            ports.append(env["WEB_PORT"])
            replicas.append(await spawn_bot(env, tmp_path / f"r{n}"))
        await asyncio.gather(*(_healthy(port) for port in ports))
        async with sessions.begin() as session:
            await session.execute(update(Post).values(scheduled_at=soon(2)))
        try:
            statuses = await _until_settled(sessions, within=150)
        finally:
            await _terminate(*replicas)
        async with sessions() as session:
            workers = await session.scalar(
                select(func.count(func.distinct(PostDelivery.claimed_by)))
            )
    finally:
        await engine.dispose()
    assert Counter(statuses.values()) == {"published": 1000}
    seen = _captions(telegram_api, chats)
    assert sum(seen.values()) == 1000 and set(seen.values()) == {1}  # no duplicates at all
    assert workers == 3  # every replica took a share

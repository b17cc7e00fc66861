"""Benchmark: 1,000 posts due at once across 50 channels, 3 replicas on one PostgreSQL.

    .venv/bin/python bench/bench_publishing.py [--posts 1000] [--chats 50] [--replicas 3]
        [--chat-interval 3.0] [--rate 25]

Three `run_bot.py` processes (webhook mode, so they don't fight over getUpdates) share a
scratch database on BENCH_POSTGRES_URL's server (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test; created and dropped here) and publish
to the Bot API test double, which records when each message arrived.

Reported:
- exactly once: every post's caption appears once in its channel, and each is `published`;
- lag: arrival minus scheduled time, and the lag beyond Telegram's pacing. The pacing
  floor of a post is when it could go out at the earliest under the limits the bot keeps:
  the k-th post of a channel waits k × chat interval (about 20 a minute per channel),
  and all sends at least 1/rate apart for the whole bot (PUBLISH_RATE_PER_S, 25 by
  default: Telegram allows about 30 a second per bot, whatever the replicas). Target:
  p95 ≤ 1 s;
- memory: each replica's RSS after a warm-up round, and again after the measured round.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import time
from bisect import insort
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import aiohttp
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.scratch_db import postgres_database
from domain.statuses import PostStatus
from storage.models import Post, PostDelivery
from storage.repos.publishing_pacing import first_free
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.schedule_support import bot_env, prepare_schema, sessions_for, spawn_bot

WEBHOOK_MODE = {
    "BOT_MODE": "webhook",
    "WEBHOOK_URL": "https://bot.example/telegram/webhook",
    "TELEGRAM_WEBHOOK_SECRET": "bench-secret",
}
Sessions = async_sessionmaker[AsyncSession]
FLAT_MIB = 20  # RSS growth per replica over the measured round still counted as flat


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def healthy(port: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"replica on port {port} never became healthy")


async def add_posts(sessions: Sessions, count: int, chats: list[str], tag: str) -> list[int]:
    parked = datetime.now(UTC) + timedelta(days=30)
    async with sessions.begin() as session:
        posts = [
            Post(status=PostStatus.SCHEDULED, title=f"{tag}{i}", caption=f"{tag} {i}", hashtags=[],
                 scheduled_at=parked, approved_at=parked, approved_by=1)
            for i in range(count)
        ]  # fmt: skip
        session.add_all(posts)
        await session.flush()
        session.add_all(
            PostDelivery(post_id=p.id, target=f"telegram:{chats[i % len(chats)]}")
            for i, p in enumerate(posts)
        )
        return [p.id for p in posts]


async def release(sessions: Sessions, ids: list[int], at: datetime) -> None:
    async with sessions.begin() as session:
        await session.execute(update(Post).where(Post.id.in_(ids)).values(scheduled_at=at))


async def wait_published(sessions: Sessions, ids: list[int], limit_s: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        async with sessions() as session:
            done = await session.scalar(
                select(func.count()).where(Post.id.in_(ids), Post.status == PostStatus.PUBLISHED)
            )
        if done == len(ids):
            return time.perf_counter() - started
        await asyncio.sleep(1.0)
    async with sessions() as session:
        left = await session.execute(
            select(Post.status, PostDelivery.last_error, func.count())
            .join(PostDelivery, PostDelivery.post_id == Post.id)
            .where(Post.id.in_(ids), Post.status != PostStatus.PUBLISHED)
            .group_by(Post.status, PostDelivery.last_error)
        )
        stuck = [tuple(row) for row in left]
    raise RuntimeError(f"only {done} of {len(ids)} published after {limit_s} s: {stuck}")


def arrivals(api: TelegramApiDouble, tag: str) -> dict[str, list[RecordedCall]]:
    found: dict[str, list[RecordedCall]] = defaultdict(list)
    for call in api.calls_to("sendMessage"):
        caption = str(call.params.get("text", ""))
        if call.ok and caption.startswith(f"{tag} "):
            found[caption].append(call)
    return found


def lags(
    calls: dict[str, list[RecordedCall]], due: datetime, chat_interval: float, rate: float
) -> tuple[list[float], list[float]]:
    """Raw lag and lag beyond the pacing floor, one per post, in seconds.

    The floor is the earliest each post may go out under the limits the bot keeps: the
    k-th post of a channel k × chat_interval after its time, and every send at least
    1/rate from any other for the whole bot (booked as the claims book them).
    """
    ordered = sorted((c[0] for c in calls.values()), key=lambda call: call.time)
    per_chat: Counter[str] = Counter()
    chat_floor = []
    for call in ordered:
        chat = str(call.params["chat_id"])
        chat_floor.append(due + timedelta(seconds=per_chat[chat] * chat_interval))
        per_chat[chat] += 1
    gap = timedelta(microseconds=math.ceil(1_000_000 / rate))
    booked: list[datetime] = []
    floors = {}
    for index in sorted(range(len(ordered)), key=lambda i: chat_floor[i]):
        floors[index] = first_free(booked, chat_floor[index], gap)
        insort(booked, floors[index])
    raw = [call.time - due.timestamp() for call in ordered]
    return raw, [call.time - floors[i].timestamp() for i, call in enumerate(ordered)]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


async def run(args: argparse.Namespace) -> int:
    chats = [f"@bench_channel_{n}" for n in range(args.chats)]
    async with postgres_database("bench_publishing") as url:
        replicas: list[asyncio.subprocess.Process] = []
        try:
            await prepare_schema(url)
            engine, sessions = sessions_for(url)
            async with TelegramApiDouble() as api:
                with tempfile.TemporaryDirectory() as scratch_dir:
                    scratch = args.logs or scratch_dir  # each replica's bot.log is kept there
                    ports = []
                    for n in range(args.replicas):
                        workdir = Path(scratch) / f"replica{n}"
                        workdir.mkdir(parents=True, exist_ok=True)
                        env = bot_env(api, url, **WEBHOOK_MODE,
                                      PUBLISH_CHAT_INTERVAL_S=str(args.chat_interval),
                                      PUBLISH_RATE_PER_S=str(args.rate),
                                      PUBLISH_SWEEP_INTERVAL_S="5")  # fmt: skip
                        ports.append(env["WEB_PORT"])
                        replicas.append(await spawn_bot(env, workdir))
                    await asyncio.gather(*(healthy(port) for port in ports))
                    code = await measure(args, api, sessions, chats, replicas)
            await engine.dispose()
            return code
        finally:
            # Before the database goes: a replica still connected would be cut off mid-write.
            for process in replicas:
                if process.returncode is None:
                    process.terminate()
                    await process.wait()


async def measure(
    args: argparse.Namespace,
    api: TelegramApiDouble,
    sessions: Sessions,
    chats: list[str],
    replicas: list[asyncio.subprocess.Process],
) -> int:
    warm = await add_posts(sessions, args.chats * 2, chats, "Warm")
    await release(sessions, warm, datetime.now(UTC))
    await wait_published(sessions, warm, limit_s=120)
    await asyncio.sleep(2)
    rss_before = [rss_mib(p.pid) for p in replicas]

    ids = await add_posts(sessions, args.posts, chats, "Post")
    due = datetime.now(UTC) + timedelta(seconds=8)  # every replica sweeps (5 s) before
    await release(sessions, ids, due)
    took = await wait_published(sessions, ids, limit_s=args.posts * args.chat_interval + 300)
    await asyncio.sleep(2)
    rss_after = [rss_mib(p.pid) for p in replicas]

    calls = arrivals(api, "Post")
    copies = Counter(len(found) for found in calls.values())
    raw, beyond = lags(calls, due, args.chat_interval, args.rate)
    async with sessions() as session:
        workers = await session.execute(
            select(PostDelivery.claimed_by, func.count())
            .where(PostDelivery.post_id.in_(ids))
            .group_by(PostDelivery.claimed_by)
        )
        shares = sorted(count for _, count in workers)
        timings = list(
            await session.execute(
                select(PostDelivery.send_after, PostDelivery.published_at).where(
                    PostDelivery.post_id.in_(ids)
                )
            )
        )
    sent = [(slot, done) for slot, done in timings if slot is not None and done is not None]
    slot_delay = [(slot - due).total_seconds() for slot, _ in sent]
    after_slot = [(done - slot).total_seconds() for slot, done in sent]
    once = len(calls) == args.posts and set(copies) == {1}
    print(f"posts {args.posts}, channels {args.chats}, replicas {args.replicas}, "
          f"chat interval {args.chat_interval} s, rate {args.rate}/s for the bot")  # fmt: skip
    print(f"all published in {took:.1f} s; posts per replica {shares}")
    print(f"exactly once: {once} (messages per post: {dict(copies)})")
    print(f"lag            p50 {pct(raw, 50):6.2f} s  p95 {pct(raw, 95):6.2f} s  "
          f"max {max(raw):6.2f} s")  # fmt: skip
    print(f"beyond pacing  p50 {pct(beyond, 50):6.2f} s  p95 {pct(beyond, 95):6.2f} s  "
          f"max {max(beyond):6.2f} s  (target p95 <= 1 s)")  # fmt: skip
    print(f"first slot after due {min(slot_delay):.2f} s; recorded after its slot "
          f"p50 {pct(after_slot, 50):.2f} s  p95 {pct(after_slot, 95):.2f} s")  # fmt: skip
    for n, (before, after) in enumerate(zip(rss_before, rss_after, strict=True)):
        print(f"replica {n} RSS {before:6.1f} MiB -> {after:6.1f} MiB ({after - before:+.1f})")
    growth = [after - before for before, after in zip(rss_before, rss_after, strict=True)]
    flat = all(grown <= FLAT_MIB for grown in growth)
    passed = once and pct(beyond, 95) <= 1.0 and flat
    print(f"TARGET each once, p95 beyond pacing <= 1 s, RSS growth <= {FLAT_MIB} MiB: "
          f"{'PASS' if passed else 'FAIL'}")  # fmt: skip
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--chat-interval", type=float, default=3.0)
    parser.add_argument(
        "--rate", type=float, default=25.0, help="sends a second for the whole bot (~30 max)"
    )
    parser.add_argument("--logs", help="keep each replica's log in this directory")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())

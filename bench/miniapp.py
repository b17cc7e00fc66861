"""Benchmark: the Mini App's month calendar with 500 posts, and the page's weight.

    .venv/bin/python bench/miniapp.py [--requests 300] [--posts 500] [--postgres]

The whole bot runs (bot.runner.start, the Bot API double) on SQLite in a temporary
directory, or with --postgres on a scratch database on BENCH_POSTGRES_URL's server
(default postgresql+asyncpg://postgres@127.0.0.1:5432/test; created and dropped here);
500 posts are put in one month (mixed statuses, titles that need HTML escaping), and an
admin's signed initData goes in every request, as the page sends it.

1. Render, N times each, interleaved so both sides see the same machine load:
   - the fragment route's render path in the bot's process (bot.miniapp.views:
     `calendar_grid` reads the month from the database, `render_calendar` renders the
     6-week grid with Jinja2). Baseline: the same 500 rows read by the calendar
     (`DashboardCalendar.items`) and serialised to JSON, as `/app/api/calendar` does.
     Target: render path p95 ≤ 50 ms. Also shown: the render alone against `json.dumps`
     alone (the rows already read), which is what the HTML costs over JSON.
   - over loopback, for context: `GET /app/api/view/calendar?view=month&date=…` against
     `GET /app/api/calendar?from=…&to=…` (auth and aiohttp included; the client runs in
     the same process and takes its share of the CPU).
2. Weight: what a phone downloads to show that month: the shell (`GET /app/`), every
   script and stylesheet it links from this server (found in the shell itself, so nothing
   is forgotten), and the month fragment, each gzip-compressed (level 6, the zlib default
   most proxies use). telegram-web-app.js comes from telegram.org (Telegram's clients have
   it cached) and is listed apart, not counted. Target: total ≤ 100 kB (100,000 bytes).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.scratch_db import scratch_database
from bot.miniapp import miniapp_context
from bot.miniapp.context import MiniAppContext
from bot.miniapp.views import calendar_grid, render_calendar
from bot.runner import RunningBot, start
from bot.settings import Settings
from storage.models import Post
from tests.doubles.init_data import sign_init_data
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, make_settings

P95_TARGET_MS = 50.0
WEIGHT_TARGET_BYTES = 100_000
STATUSES = ("scheduled", "scheduled", "scheduled", "ready", "published", "published",
            "draft", "awaiting_image", "failed", "missed", "unknown", "publishing")  # fmt: skip
TITLES = ("Autumn candle & the <cosy> evenings", "Behind the scenes: pouring wax",
          "5 ways to style a shelf", "Customer story — Ann's reading nook",
          "Weekend sale: 20 % off \"Forest\" scents", "New: a candle for rainy days")  # fmt: skip


@dataclass(frozen=True)
class Timing:
    name: str
    ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 0.95)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def focus_month(tz: ZoneInfo) -> date:
    """The first day of next month: a whole month whose posts are all still ahead."""
    today = datetime.now(tz).date()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def month_days(first: date) -> list[date]:
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


async def seed(
    sessions: async_sessionmaker[AsyncSession], first: date, tz: ZoneInfo, count: int
) -> None:
    """`count` posts spread over the month's days and hours (up to ~17 a day)."""
    days = month_days(first)
    async with sessions.begin() as session:
        for n in range(count):
            day = days[n % len(days)]
            local = datetime(day.year, day.month, day.day, 8 + n % 12, (n * 7) % 60, tzinfo=tz)
            status = STATUSES[n % len(STATUSES)]
            approved = status not in {"draft", "awaiting_image"}
            session.add(Post(
                status=status, title=f"{TITLES[n % len(TITLES)]} #{n}",
                caption="Bench caption.", hashtags=["#bench"],
                scheduled_at=local.astimezone(UTC),
                approved_at=datetime.now(UTC) if approved else None,
                approved_by=ADMIN if approved else None,
            ))  # fmt: skip


async def measure(call: Callable[[], Awaitable[None]], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def in_process(ctx: MiniAppContext, first: date, posts: int, count: int) -> list[Timing]:
    """The route's render path and its JSON baseline; then render alone against JSON alone."""
    last = month_days(first)[-1]
    grid = await calendar_grid(ctx, "month", first.isoformat())
    rows = await ctx.calendar.items(first, last)
    assert len(rows) == posts and sum(len(d.items) for d in grid.days) == posts
    assert render_calendar(ctx, grid).count('data-item="post:') == posts

    async def render_path() -> None:
        render_calendar(ctx, await calendar_grid(ctx, "month", first.isoformat()))

    async def json_path() -> None:
        items = await ctx.calendar.items(first, last)
        json.dumps({"items": [item.as_json() for item in items]})

    async def render_only() -> None:
        render_calendar(ctx, grid)

    async def json_only() -> None:
        json.dumps({"items": [item.as_json() for item in rows]})

    return await interleaved(
        count,
        ("render path: read + HTML", render_path),
        ("baseline: read + JSON", json_path),
        ("HTML render alone", render_only),
        ("json.dumps alone", json_only),
    )


async def interleaved(
    count: int, *subjects: tuple[str, Callable[[], Awaitable[None]]]
) -> list[Timing]:
    for _, call in subjects:  # warm-up: templates compiled, connections open
        await measure(call, 20)
    found: dict[str, list[float]] = {name: [] for name, _ in subjects}
    for _ in range(count):
        for name, call in subjects:
            found[name] += await measure(call, 1)
    return [Timing(name, ms) for name, ms in found.items()]


async def over_http(
    http: ClientSession, base: str, first: date, posts: int, count: int
) -> list[Timing]:
    last = month_days(first)[-1]
    fragment_url = f"{base}/app/api/view/calendar?view=month&date={first.isoformat()}"
    json_url = f"{base}/app/api/calendar?from={first.isoformat()}&to={last.isoformat()}"

    async def fragment() -> None:
        async with http.get(fragment_url) as response:
            assert response.status == 200, await response.text()
            body = await response.text()
        # The render is real: every post of the month is in it.
        assert body.count('data-item="post:') == posts, body.count('data-item="post:')

    async def as_json() -> None:
        async with http.get(json_url) as response:
            assert response.status == 200, await response.text()
            assert len((await response.json())["items"]) == posts

    return await interleaved(
        count, ("GET view/calendar (HTML)", fragment), ("GET calendar (JSON)", as_json)
    )


async def weights(http: ClientSession, base: str, first: date) -> list[tuple[str, int, int]]:
    """(what, bytes, gzip bytes) for the shell, its local assets and a month fragment."""
    async with http.get(f"{base}/app/") as response:
        assert response.status == 200
        shell = await response.read()
    found: list[tuple[str, bytes]] = [("GET /app/ (shell)", shell)]
    links = re.findall(rb'(?:src|href)="(/app/static/[^"]+)"', shell)
    for link in dict.fromkeys(links):  # in order, once each
        async with http.get(base + link.decode()) as response:
            assert response.status == 200, link
            found.append((link.decode(), await response.read()))
    url = f"{base}/app/api/view/calendar?view=month&date={first.isoformat()}"
    async with http.get(url) as response:
        found.append(("month fragment (500 posts)", await response.read()))
    return [(name, len(body), len(gzip.compress(body, 6))) for name, body in found]


def report(local: list[Timing], http: list[Timing], weight: list[tuple[str, int, int]]) -> bool:
    print(f"\nMonth calendar, {len(local[0].ms)} runs each (interleaved); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:")  # fmt: skip
    for t in local + http:
        print(f"  {t.name:28} p50 {t.p50:6.2f} ms   p95 {t.p95:6.2f} ms")
    path, baseline, alone, dumps = local
    print(f"  ratio p95 render path / JSON baseline: {path.p95 / baseline.p95:.2f}x; "
          f"render alone / json.dumps alone: {alone.p95 / dumps.p95:.2f}x; "
          f"over HTTP: {http[0].p95 / http[1].p95:.2f}x")  # fmt: skip
    render_ok = path.p95 <= P95_TARGET_MS
    verdict = "PASS" if render_ok else "FAIL"
    print(f"  target: render path p95 <= {P95_TARGET_MS:.0f} ms: {verdict}")
    total_raw = sum(raw for _, raw, _ in weight)
    total = sum(packed for _, _, packed in weight)
    print("\nPage weight (gzip level 6):")
    for name, raw, packed in weight:
        print(f"  {name:44} {raw:8,} B  -> {packed:7,} B")
    weight_ok = total <= WEIGHT_TARGET_BYTES
    verdict = "PASS" if weight_ok else "FAIL"
    print(f"  {'total':44} {total_raw:8,} B  -> {total:7,} B; target <= 100 kB: {verdict}")
    print("  (telegram-web-app.js is Telegram's, from telegram.org: not counted)")
    return render_ok and weight_ok


async def main(count: int, posts: int, postgres: bool) -> int:
    api = TelegramApiDouble()
    await api.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            async with scratch_database(postgres, Path(scratch)) as url:
                settings = make_settings(api, None, Path(scratch), database_url=url)
                figures = await run(api, settings, count, posts)
    finally:
        await api.stop()
    print(f"\nDatabase: {'PostgreSQL' if postgres else 'SQLite'}")
    return 0 if report(*figures) else 1


async def run(
    api: TelegramApiDouble, settings: Settings, count: int, posts: int
) -> tuple[list[Timing], list[Timing], list[tuple[str, int, int]]]:
    """Start the bot on `settings`, seed the month, measure, stop."""
    running: RunningBot = await start(settings)
    try:
        await api.wait_for("getUpdates", timeout=10)
        services = running.services
        tz = services.settings.app.tz
        first = focus_month(tz)
        await seed(services.sessions, first, tz, posts)
        token = services.settings.telegram.bot_token.get_secret_value()
        user = {"id": ADMIN, "first_name": "Bench"}
        auth = "tma " + sign_init_data(token, user, auth_date=int(time.time()))
        web = services.settings.web
        base = f"http://{web.host}:{web.port}"
        local = await in_process(miniapp_context(services), first, posts, count)
        async with ClientSession(headers={"Authorization": auth}) as http:
            remote = await over_http(http, base, first, posts, count)
            weight = await weights(http, base, first)
        return local, remote, weight
    finally:
        await running.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.requests, arguments.posts, arguments.postgres)))

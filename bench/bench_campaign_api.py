"""Benchmark: a 50-post POST /api/campaigns through the real aiohttp app, on loopback.

    .venv/bin/python bench/bench_campaign_api.py [--requests 200] [--skip-postgres]

For SQLite (a file in a temporary directory) and PostgreSQL (a scratch database on
BENCH_POSTGRES_URL's server, default postgresql+asyncpg://postgres@127.0.0.1:5432/test,
created and dropped here) it sends the same 50-post campaign N times, one after another,
each with a fresh Idempotency-Key (the full path: auth, rate limit, idempotency claim,
validation, one transaction, response). A baseline handler in the same app that only
reads and parses the same JSON shows what the server and client cost by themselves.

Targets: p50 <= 50 ms on SQLite, <= 100 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bench.scratch_db import scratch_database
from bot.api import ApiContext, mount_api
from bot.api.auth import BearerAuth
from bot.api.idempotency import IdempotencyStore
from bot.api.ratelimit import DbRateLimiter
from core.campaigns.service import CampaignService
from core.clock import SystemClock
from core.personas.models import PersonaInput
from core.personas.service import PersonaService
from storage import migrate
from storage.db import make_engine, make_session_factory

TOKEN = "bench-token"
POSTS = 50
TARGET_MS = {"sqlite": 50.0, "postgresql": 100.0}


def plan(persona_id: int) -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=1)
    posts = [
        {
            "title": f"Post {n}",
            "description": "What the post shows and why it is in the campaign. " * 3,
            "content_pillar_name": ("Product", "Tips", "Behind the scenes")[n % 3],
            "image_prompt": "A beeswax candle on an oak windowsill at dusk, warm light, no text",
            "scheduled_at": (start + timedelta(hours=6 * n)).isoformat(),
            "caption_draft": "Our autumn candle is here: beeswax, cedar and a long, quiet burn. "
            * 4,
            "hashtags": ["#acmecandles", "autumn", "cosy home", f"#day{n}"],
            "format": ("image", "carousel", "video", "text")[n % 4],
        }
        for n in range(POSTS)
    ]
    strategy = {"summary": "Introduce, deepen, close.", "key_message": "Warm evenings"}
    return {
        "persona_id": persona_id,
        "campaign_name": "Benchmark",
        "strategy_metadata": strategy,
        "posts": posts,
    }


async def baseline(request: web.Request) -> web.Response:
    """Reads and parses the same body, answers a small JSON: the floor under the real route."""
    body = json.loads(await request.read())
    return web.json_response({"posts": len(body["posts"])}, status=201)


async def build_app(url: str) -> tuple[web.Application, Any, int]:
    engine = make_engine(url)
    await migrate.upgrade(engine)
    sessions, clock = make_session_factory(engine), SystemClock()
    personas = PersonaService(sessions)
    persona = await personas.create(PersonaInput(name="Acme Candles"))
    ctx = ApiContext(
        auth=BearerAuth(SecretStr(TOKEN)),
        limiter=DbRateLimiter(sessions, clock, limit=1_000_000),
        idempotency=IdempotencyStore(sessions, clock, ttl=timedelta(hours=24)),
        personas=personas,
        campaigns=CampaignService(sessions, clock, ZoneInfo("UTC")),
    )
    app = web.Application(client_max_size=1024 * 1024)
    mount_api(app, ctx)
    app.router.add_post("/baseline", baseline)
    return app, engine, persona.id


async def measure(http: ClientSession, url: str, body: bytes, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        started = time.perf_counter()
        async with http.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 201:
                raise RuntimeError(f"{url}: {response.status} {await response.text()}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(kind: str, count: int, scratch: Path) -> dict[str, float]:
    async with scratch_database(kind == "postgresql", scratch) as url:
        app, engine, persona_id = await build_app(url)
        body = json.dumps(plan(persona_id)).encode()
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            async with ClientSession() as http:
                api_url, base_url = (
                    str(server.make_url("/api/campaigns")),
                    str(server.make_url("/baseline")),
                )
                await measure(http, api_url, body, 10)  # warm-up: pools, caches
                await measure(http, base_url, body, 10)
                api = await measure(http, api_url, body, count)
                base = await measure(http, base_url, body, count)
        finally:
            await server.close()
            await engine.dispose()
    return {
        "p50": statistics.median(api),
        "p95": percentile(api, 0.95),
        "base_p50": statistics.median(base),
        "base_p95": percentile(base, 0.95),
    }


def report(kind: str, count: int, figures: dict[str, float]) -> bool:
    ok = figures["p50"] <= TARGET_MS[kind]
    print(
        f"{kind:<10} n={count:<4} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms"
        f"  | baseline p50 {figures['base_p50']:5.1f} ms  p95 {figures['base_p95']:5.1f} ms"
        f"  | ratio p50 {figures['p50'] / figures['base_p50']:5.1f}x"
        f"  | target p50 <= {TARGET_MS[kind]:.0f} ms: {'ok' if ok else 'MISSED'}"
    )
    return ok


async def main(count: int, kinds: list[str]) -> int:
    print(f"POST /api/campaigns with {POSTS} posts, {count} sequential requests per database")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind in kinds:
            results.append(report(kind, count, await run(kind, count, Path(scratch))))
    return 0 if all(results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"] if args.skip_postgres else ["sqlite", "postgresql"]
    raise SystemExit(asyncio.run(main(args.requests, kinds)))

"""Benchmark: signed pipeline callbacks per second through POST /webhooks/pipeline.

    .venv/bin/python bench/bench_pipeline_webhook.py [--requests 2000] [--concurrency 32]
                                                     [--postgres]

One aiohttp server on loopback serves two routes: ours (Standard Webhooks signature over
the raw body, timestamp window, JSON, the run looked up, the webhook-id recorded once in
the database) and a bare handler that only reads the body and answers 200. The same
pre-signed requests (each with its own webhook-id, for a known run that is already
finished, so nothing else is triggered) go to each route in turn, best of three rounds.
The database is SQLite in a temporary directory, or with --postgres a scratch database on
BENCH_POSTGRES_URL's server (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).

Target: ours / bare >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import storage.models  # noqa: F401  (registers every table)
from bench.scratch_db import scratch_database
from bot.adapters.comfyui import comfy_client
from bot.pipeline_callbacks import CALLBACKS, PATH, pipeline_webhook
from core.campaigns.service import CampaignService
from core.clock import SystemClock
from core.config import ComfySettings
from core.pipeline import PipelineService
from core.posts.service import PostService
from core.standard_webhooks import signed_headers
from storage.base import Base
from storage.db import make_engine, make_session_factory
from storage.models import ImageRun

SECRET = "whsec_" + base64.b64encode(b"benchmark secret, 32 bytes long.").decode()
PROMPT_ID = "bench-prompt"
TARGET_RATIO = 0.5
ROUNDS = 3

Request = tuple[bytes, dict[str, str]]


async def bare(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"status": "ok"})


def requests(count: int) -> list[Request]:
    body = json.dumps({"type": "pipeline.run.completed", "data": {"prompt_id": PROMPT_ID}})
    now = int(time.time())
    raw = body.encode()
    return [
        (raw, signed_headers(SECRET, f"msg_{uuid.uuid4().hex}", now, raw)) for _ in range(count)
    ]


async def finished_run(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        session.add(
            ImageRun(prompt_id=PROMPT_ID, status="completed", image_prompt="bench", seed=1,
                     batch_size=4)
        )  # fmt: skip


async def rate(url: str, batch: list[Request], concurrency: int) -> float:
    """Requests per second for `batch`, `concurrency` at a time; every answer must be 2xx."""
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for item in batch:
        queue.put_nowait(item)

    async def worker(http: ClientSession) -> None:
        while not queue.empty():
            body, headers = queue.get_nowait()
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status // 100 != 2:
                    raise RuntimeError(f"{url} answered {response.status}")

    async with ClientSession() as http:
        started = time.perf_counter()
        async with asyncio.timeout(120):  # bounded, whatever happens
            await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        return len(batch) / (time.perf_counter() - started)


@asynccontextmanager
async def database(postgres: bool) -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        async with scratch_database(postgres, Path(folder)) as url:
            yield url


async def main(count: int, concurrency: int, postgres: bool) -> int:
    async with database(postgres) as url:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            sessions = make_session_factory(engine)
            await finished_run(sessions)
            return await measure(sessions, count, concurrency, url.split("+")[0])
        finally:
            await engine.dispose()


async def measure(
    sessions: async_sessionmaker[AsyncSession], count: int, concurrency: int, db: str
) -> int:
    clock = SystemClock()
    campaigns = CampaignService(sessions, clock, ZoneInfo("UTC"))
    comfy = ComfySettings(_env_file=None, url="http://127.0.0.1:9")
    pipeline = PipelineService(sessions, clock, PostService(sessions, clock), campaigns, comfy,
                               Path(tempfile.gettempdir()), client=comfy_client(comfy))  # fmt: skip
    app = web.Application()
    app[CALLBACKS] = pipeline.callbacks(SECRET)
    app.router.add_post(PATH, pipeline_webhook)
    app.router.add_post("/bare", bare)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        ours_url, bare_url = str(server.make_url(PATH)), str(server.make_url("/bare"))
        await rate(ours_url, requests(100), concurrency)  # warm up both paths
        await rate(bare_url, requests(100), concurrency)
        ours = bare_rate = 0.0
        for _ in range(ROUNDS):
            bare_rate = max(bare_rate, await rate(bare_url, requests(count), concurrency))
            ours = max(ours, await rate(ours_url, requests(count), concurrency))
    finally:
        await server.close()
        await pipeline.close()
    ratio = ours / bare_rate
    print(f"database: {db}, {count} signed callbacks x {ROUNDS} rounds, {concurrency} at a time")
    print(f"bare aiohttp handler:   {bare_rate:8.0f} req/s")
    print(f"POST /webhooks/pipeline: {ours:8.0f} req/s")
    verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(f"ratio: {ratio:.2f} (target >= {TARGET_RATIO}) {verdict}")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.requests, args.concurrency, args.postgres)))

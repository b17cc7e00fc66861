"""Benchmark: the review crew's wall time against its slowest single step.

    .venv/bin/python bench/crew.py [--delay 0.5] [--runs 5] [--database URL]

Each run reviews a brief with all five steps (creator, then brand, compliance and design
at once, then the optimizer) through the real path: CrewService, the LLM gateway and
litellm, against an OpenAI-compatible test server (tests/doubles/crew_llm.py) that adds a
fixed delay to every call. The run's wall time is from the request to its stored report;
its slowest step is the longest of its five `generate()` calls through the gateway (each
timed whole: budget reservation, the HTTP call, validation, the logged row). Five steps one
after another would take 5x one step; three stages (brand, compliance, design at once) ~3x.

Reported: both per run, the worst ratio (target <= 3.5) and PASS/FAIL. The database is a
scratch SQLite file unless --database names an empty one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import storage.models  # noqa: F401  (registers every table)
from core.clock import SystemClock
from core.config import LLMSettings
from core.crew.service import CrewService
from core.crew.types import Brief, Draft
from core.llm.gateway import LLMGateway
from core.llm.types import LLMRequest, LLMResult, T
from core.metrics import Metrics
from core.prompting import PromptRegistry
from domain.crew import ItemKind, ReviewStatus
from storage.base import Base
from storage.db import make_engine, make_session_factory
from tests.crew.fakes import FixedBrands
from tests.doubles.crew_llm import CrewLLMServer

ROOT = Path(__file__).resolve().parent.parent


class TimedLLM:
    """The gateway, with every generate() timed: a step as long as the crew waits for it."""

    def __init__(self, llm: LLMGateway) -> None:
        self._llm = llm
        self.seconds: list[float] = []

    async def warm_up(self) -> None:
        await self._llm.warm_up()

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]:
        started = time.perf_counter()
        try:
            return await self._llm.generate(request, schema)
        finally:
            self.seconds.append(time.perf_counter() - started)


TARGET = 3.5


def gateway(server: CrewLLMServer, sessions: async_sessionmaker[AsyncSession]) -> LLMGateway:
    settings = LLMSettings(
        _env_file=None, model="openai/bench-model", api_base=server.url,
        api_key=SecretStr("sk-bench"), timeout_s=60, daily_budget_usd=Decimal(1000),
        price_input_per_mtok=Decimal(1), price_output_per_mtok=Decimal(2), max_retries=0,
        cache_ttl_s=0,
    )  # fmt: skip
    return LLMGateway(settings, sessions, Metrics(), SystemClock())


async def one_run(crew: CrewService, llm: TimedLLM, n: int) -> tuple[float, float]:
    """(wall seconds, slowest step seconds) of one review of a new brief."""
    llm.seconds.clear()
    brief = Brief(campaign_brief=f"Merino socks are back, run {n}")
    started = time.perf_counter()
    review = await crew.request(Draft(kind=ItemKind.CONTENT, item_id=n, brief=brief))
    assert review is not None
    await crew.run_pending()
    wall = time.perf_counter() - started
    done = await crew.get(review.id)
    assert done is not None and done.status is ReviewStatus.DONE, done
    assert len(llm.seconds) == 5, llm.seconds
    return wall, max(llm.seconds)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.5, help="seconds added to every call")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite+aiosqlite:///{scratch.name}/bench.db"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = make_session_factory(engine)
    server = CrewLLMServer(delay_s=args.delay)
    await server.start()
    try:
        llm = TimedLLM(gateway(server, sessions))
        await llm.warm_up()  # litellm's import is start-up's cost, not a review's
        prompts = await PromptRegistry.load(ROOT / "prompts")
        await prompts.sync(sessions)
        crew = CrewService(sessions, SystemClock(), prompts, llm, FixedBrands(),
                           enabled=True, step_timeout_s=60)  # fmt: skip
        await one_run(crew, llm, 0)  # warm: first connections, first textstat import
        results = [await one_run(crew, llm, n) for n in range(1, args.runs + 1)]
    finally:
        await server.stop()
        await engine.dispose()
        scratch.cleanup()
    print(f"fixed delay per model call: {args.delay:.2f} s; five steps, {args.runs} runs")
    for n, (wall, slowest) in enumerate(results, 1):
        print(f"run {n}: crew wall time {wall:.3f} s, slowest single step {slowest:.3f} s, "
              f"ratio {wall / slowest:.2f}")  # fmt: skip
    worst = max(wall / slowest for wall, slowest in results)
    walls = sorted(wall for wall, _ in results)
    print(f"median crew wall time: {walls[len(walls) // 2]:.3f} s; "
          f"slowest step overall: {max(s for _, s in results):.3f} s")  # fmt: skip
    print(f"worst ratio: {worst:.2f} (target <= {TARGET}) {'PASS' if worst <= TARGET else 'FAIL'}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

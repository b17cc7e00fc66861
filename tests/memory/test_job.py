"""The embedding job: registered every 10 s when memory is on (and run at once), nothing
when it is off; a run embeds what waits."""

from __future__ import annotations

from types import SimpleNamespace

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.memory_jobs import EMBED_EVERY_S, MEMORY_JOB, start_memory
from core.memory.service import MemoryService
from domain.memory import MemoryEvent, MemoryKind
from storage.db import make_session_factory
from tests.memory.conftest import MovableClock


async def test_the_job_embeds_what_waits(memory: MemoryService) -> None:
    scheduler = AsyncIOScheduler(timezone="UTC")
    await start_memory(scheduler, SimpleNamespace(memory=memory))  # type: ignore[arg-type]
    job = scheduler.get_job(MEMORY_JOB)
    assert job is not None and job.trigger.interval.total_seconds() == EMBED_EVERY_S
    await memory.remember(
        kind=MemoryKind.POST, item_id=1, persona_id=None, text="Spring sale", label="p",
        event=MemoryEvent.APPROVED,
    )  # fmt: skip
    await job.func()
    assert [m.item.item_id for m in await memory.similar("Spring sale", persona_id=None)] == [1]


async def test_no_job_when_memory_is_off(engine: AsyncEngine, clock: MovableClock) -> None:
    off = MemoryService(
        make_session_factory(engine), clock, None, reason_off="MEMORY_ENABLED=false"
    )
    scheduler = AsyncIOScheduler(timezone="UTC")
    await start_memory(scheduler, SimpleNamespace(memory=off))  # type: ignore[arg-type]
    assert scheduler.get_jobs() == []

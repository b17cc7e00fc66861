"""Building blocks for pipeline tests: posts and campaigns in the database, a pipeline on
the ComfyUI double, an observer that records what a chat would have been shown."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.adapters.comfyui import comfy_client
from core.campaigns.service import CampaignService
from core.clock import SystemClock
from core.config import ComfySettings
from core.pipeline import Delivery, ImageView, PipelineService, RunProgress, RunStatus, RunView
from core.posts.service import PostService
from storage import migrate
from storage.base import Base
from storage.db import make_engine
from storage.models import Campaign, Persona
from storage.repos import posts as post_repo

NO_ENV: dict[str, Any] = {"_env_file": None}
SOON = datetime.now(UTC) + timedelta(days=3)


@dataclass
class RecordingObserver:
    """Every call the pipeline made, in order, as (event, run id, detail)."""

    events: list[tuple[str, int, Any]] = field(default_factory=list)

    async def queued(self, run: RunView) -> None:
        self.events.append(("queued", run.id, None))

    async def started(self, run: RunView) -> None:
        self.events.append(("started", run.id, None))

    async def progress(self, run: RunView, progress: RunProgress) -> None:
        self.events.append(("progress", run.id, progress))

    async def completed(self, run: RunView, images: Sequence[ImageView]) -> Delivery:
        self.events.append(("completed", run.id, tuple(images)))
        file_ids = {image.position: f"photo-{run.id}-{image.position}" for image in images}
        return Delivery(pick_message_id=1000 + run.id, file_ids=file_ids)

    async def failed(self, run: RunView) -> None:
        self.events.append(("failed", run.id, run.error))

    def of(self, kind: str, run_id: int | None = None) -> list[Any]:
        return [e[2] for e in self.events if e[0] == kind and run_id in (None, e[1])]


def comfy_settings(url: str | None, **overrides: Any) -> ComfySettings:
    values: dict[str, Any] = {"url": url, "poll_interval_s": 0.05, "deadline_s": 5.0}
    return ComfySettings(**NO_ENV, **(values | overrides))


async def open_pipeline(
    sessions: async_sessionmaker[AsyncSession],
    settings: ComfySettings,
    data_dir: Path,
    observer: RecordingObserver,
    *,
    throttle_s: float = 0.0,
) -> PipelineService:
    clock = SystemClock()
    campaigns = CampaignService(sessions, clock, ZoneInfo("UTC"))
    service = PipelineService(
        sessions, clock, PostService(sessions, clock), campaigns, settings, data_dir,
        client=comfy_client(settings), throttle_s=throttle_s,
    )  # fmt: skip
    await service.open(observer)
    return service


async def add_post(
    sessions: async_sessionmaker[AsyncSession],
    *,
    image_prompt: str | None = "a lighthouse at dawn",
    title: str = "Lighthouse",
    format: str = "image",
    campaign_id: int | None = None,
    scheduled_at: datetime | None = SOON,
) -> int:
    async with sessions.begin() as session:
        post = await post_repo.create_draft(
            session, title=title, caption="Come and see", hashtags=[],
            scheduled_at=scheduled_at, image_prompt=image_prompt, suggestion_id=None,
            actor="test", created_by=1, campaign_id=campaign_id, format=format,
        )  # fmt: skip
        return post.id


async def add_campaign(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions.begin() as session:
        persona = Persona(name="Cosy shop")
        session.add(persona)
        await session.flush()
        campaign = Campaign(persona_id=persona.id, name="Winter", model="api", created_by="api")
        session.add(campaign)
        await session.flush()
        return campaign.id


async def wait_for_status(
    service: PipelineService, run_id: int, status: RunStatus, *, within: float = 10.0
) -> RunView:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        run = await service.get(run_id)
        if run.status == status:
            return run
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"run {run_id} is {run.status}, never {status}: {run.error}")
        await asyncio.sleep(0.02)


async def wait_for_delivery(service: PipelineService, run_id: int) -> RunView:
    """Completed and shown: the Pick message and the photos' file ids are recorded."""

    async def delivered() -> bool:
        return (await service.get(run_id)).pick_message_id is not None

    await wait_until(delivered)
    return await service.get(run_id)


async def wait_until(check: Any, *, within: float = 10.0) -> None:
    """Poll an async predicate until it is true."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition never became true")
        await asyncio.sleep(0.02)


async def prepare_database(url: str) -> None:
    """Migrate, then create tables the migrations don't have yet (new models before the
    lead generates their migration); a no-op once they exist."""
    engine: AsyncEngine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
    finally:
        await engine.dispose()

"""Starting the bot for publishing tests: settings, a migrated schema, posts, run_bot.py.

The database is migrated with the real Alembic scripts before the bot starts (as the bot
itself would), so a test can put posts in place first, as if they were made before.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runner import RunningBot, start
from bot.settings import Settings
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Post, PostDelivery
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.local_server import serve
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, free_port, make_settings

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "@brand"
FAST_PUBLISHING: dict[str, Any] = {
    "publish_chat_id": CHANNEL,
    "publish_sweep_interval_s": 0.5,
    "publish_chat_interval_s": 0.0,
    "publish_rate_per_s": 200.0,
    "publish_backoff_s": 0.05,
    "publish_lease_s": 5.0,
    "publish_send_timeout_s": 5.0,
}


async def prepare_schema(url: str) -> None:
    """Migrate to head, as run_bot.py does at start-up."""
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def publishing_settings(
    api: TelegramApiDouble,
    llm: FakeLLMServer | None,
    data_dir: Path,
    *,
    database_url: str | None = None,
    **app: Any,
) -> Settings:
    """`database_url`: the `database_url` fixture (SQLite and PostgreSQL); else a SQLite file."""
    db = {"database_url": database_url} if database_url else {}
    settings = make_settings(api, llm, data_dir, **db)
    values = {**FAST_PUBLISHING, **app}
    return replace(settings, app=settings.app.model_copy(update=values))


async def start_harness(
    api: TelegramApiDouble, llm: FakeLLMServer, settings: Settings, *, prepared: bool = False
) -> Harness:
    if not prepared:
        await prepare_schema(settings.database.database_url)
    bot: RunningBot = await start(settings)
    await api.wait_for("getUpdates", timeout=10)
    return Harness(api, llm, bot)


async def add_post(
    sessions: async_sessionmaker[AsyncSession],
    *,
    at: datetime | None,
    status: str = "scheduled",
    caption: str = "Our autumn candle is back.",
    title: str = "Autumn candle",
    hashtags: tuple[str, ...] = ("#autumn",),
    target: str | None = None,
    image_file_id: str | None = None,
) -> int:
    async with sessions.begin() as session:
        post = Post(status=status, title=title, caption=caption, hashtags=list(hashtags),
                    scheduled_at=at, approved_at=datetime.now(UTC), approved_by=ADMIN)  # fmt: skip
        session.add(post)
        await session.flush()
        if target is not None:
            session.add(PostDelivery(post_id=post.id, target=target))
        if image_file_id is not None:
            await _attach_image(session, post.id, image_file_id)
        return post.id


async def _attach_image(session: AsyncSession, post_id: int, file_id: str) -> None:
    from storage.models import ImageRun, ImageRunPost, RunImage

    run = ImageRun(prompt_id=f"p{post_id}", status="completed", image_prompt="candle", seed=1,
                   batch_size=1, picked_position=1, picked_at=datetime.now(UTC))  # fmt: skip
    session.add(run)
    await session.flush()
    session.add(ImageRunPost(run_id=run.id, post_id=post_id, previous_status="draft"))
    image = RunImage(run_id=run.id, position=1, path=f"images/{post_id}.png", sha256="0" * 64,
                     size_bytes=1, source_name="c.png", file_id=file_id, picked=True)  # fmt: skip
    session.add(image)


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def status_of(sessions: async_sessionmaker[AsyncSession], post_id: int) -> str:
    async with sessions() as session:
        found = await session.scalar(select(Post.status).where(Post.id == post_id))
        assert found is not None
        return found


async def wait_status(
    sessions: async_sessionmaker[AsyncSession], post_id: int, status: str, within: float = 15.0
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while (now := await status_of(sessions, post_id)) != status:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"post #{post_id} is {now}, never became {status}")
        await asyncio.sleep(0.05)


def sessions_for(url: str) -> tuple[Any, async_sessionmaker[AsyncSession]]:
    engine = make_engine(url)
    return engine, make_session_factory(engine)


def bot_env(api: TelegramApiDouble, db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a run_bot.py process publishing to the double's @brand channel."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLM_"))}
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_FILE_BASE_URL": api.file_base_url,
        "ADMIN_USER_IDS": f"{ADMIN},{OTHER_ADMIN}",
        "DATABASE_URL": db_url,
        "WEB_PORT": str(free_port()),
        "PUBLISH_CHAT_ID": CHANNEL,
        "PUBLISH_SWEEP_INTERVAL_S": "0.5",
        "PUBLISH_CHAT_INTERVAL_S": "0",
        "PUBLISH_RATE_PER_S": "500",
        # Off unless a test asks, as in make_settings: scripted model answers stay theirs.
        "CREW_ENABLED": "false",
        **extra,
    }


async def spawn_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """run_bot.py in `cwd`, its log in cwd/bot.log (appended: a restart adds to it)."""
    with (cwd / "bot.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "run_bot.py"), cwd=cwd, env=env,
            stdout=log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip


WEBHOOK_SECRET = "whsec_" + "bWlycm9yLXNlY3JldC1mb3ItdGVzdHM="


@dataclass
class WebhookReceiver:
    """A Make / n8n endpoint on loopback: records each request, answers the next status."""

    url: str = ""
    answers: list[int] = field(default_factory=list)  # then 200 with {"id": ...}
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def settings(self) -> dict[str, Any]:
        return {
            "publish_webhook_url": self.url,
            "publish_webhook_secret": SecretStr(WEBHOOK_SECRET),
        }

    async def handle(self, request: web.Request) -> web.Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.deliveries.append((headers, await request.read()))
        status = self.answers.pop(0) if self.answers else 200
        if status != 200:
            return web.Response(status=status)
        return web.json_response({"id": f"zap-{len(self.deliveries)}"})

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.deliveries]

    async def wait_for(self, count: int, within: float = 15.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while len(self.deliveries) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the webhook got {len(self.deliveries)}, not {count}")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    found = WebhookReceiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    async with serve(app) as base_url:
        found.url = f"{base_url}/hook"
        yield found

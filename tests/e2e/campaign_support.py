"""Helpers for the persona, campaign and post-review end-to-end tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.runner import start
from core.personas.models import PersonaInput
from core.personas.views import PersonaView
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.harness import ADMIN, Harness, make_settings

TZ = ZoneInfo("Europe/Berlin")  # the harness's TIMEZONE


@contextlib.asynccontextmanager
async def bot_on(
    api: TelegramApiDouble, llm: FakeLLMServer, data_dir: Path, database_url: str
) -> AsyncIterator[Harness]:
    """The whole bot on a given database (the `database_url` fixture: SQLite and PostgreSQL)."""
    bot = await start(make_settings(api, llm, data_dir, database_url=database_url))
    try:
        await api.wait_for("getUpdates", timeout=10)
        yield Harness(api, llm, bot)
    finally:
        await bot.stop()


def today() -> date:
    return datetime.now(TZ).date()


def campaign_days(offset: int = 10, length: int = 6) -> tuple[date, date]:
    start = today() + timedelta(days=offset)
    return start, start + timedelta(days=length)


def post_answer(number: int, day: date, **overrides: object) -> dict[str, Any]:
    post: dict[str, Any] = {
        "title": f"Candle story {number}",
        "description": "Shows the candle at home",
        "content_pillar_name": "Product",
        "image_prompt": f"A beeswax candle on a windowsill, scene {number}, warm light",
        "scheduled_at": datetime.combine(day, time(18, 0), tzinfo=TZ).isoformat(),
        "caption_draft": f"Caption number {number}: warm evenings ahead.",
        "hashtags": ["#acme", "#candles"],
        "format": "image",
    }
    post.update(overrides)
    return post


def plan_answer(start: date, posts: int = 3, name: str = "Autumn glow") -> dict[str, Any]:
    """What the model answers for campaign_plan (core.campaigns.models.PlanDraft)."""
    return {
        "campaign_name": name,
        "strategy_metadata": {
            "summary": "Introduce the candle, show it in use, close with the launch.",
            "key_message": "Warm evenings at home",
            "pillar_mix": {"Product": posts},
            "cadence": "Every other day at 18:00",
        },
        "posts": [post_answer(n, start + timedelta(days=n - 1)) for n in range(1, posts + 1)],
    }


def persona_input(name: str = "Acme Candles") -> PersonaInput:
    return PersonaInput.model_validate(
        {
            "name": name,
            "caption_config": {"tone": "warm", "length": "short"},
            "hashtag_strategy": {"always": ["#acme"]},
            "content_pillars": [{"name": "Product", "description": "The candles"}],
        }
    )


async def make_persona(harness: Harness, name: str = "Acme Candles") -> PersonaView:
    return await harness.bot.services.personas.create(persona_input(name))


async def make_campaign(
    harness: Harness, persona_id: int, posts: int = 3, name: str = "Autumn glow"
) -> int:
    """A stored campaign of draft posts, as if created through /campaign or the REST API."""
    body = {"persona_id": persona_id, **plan_answer(campaign_days()[0], posts, name)}
    created = await harness.bot.services.campaigns.create(body, actor="api", model="api")
    return created.campaign.id


def buttons(call: RecordedCall) -> dict[str, str]:
    """A message's inline buttons: label → callback data (none when it has no keyboard)."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def confirm_dates(harness: Harness) -> RecordedCall:
    """Step 5 echoes the dates it read ("…, Europe/Berlin: OK?"); tap ✅ Yes."""
    echo = await harness.said(f"{TZ.key}: OK?")
    harness.tap(harness.message_id_of(echo), buttons(echo)["✅ Yes"])
    return echo


def message_buttons(harness: Harness, message_id: int, chat_id: int = ADMIN) -> dict[str, str]:
    """The buttons a message shows now, after any edits."""
    for message in harness.api.messages_in(chat_id):
        if message.get("message_id") == message_id:
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            return {b["text"]: b["callback_data"] for row in rows for b in row}
    raise AssertionError(f"no message {message_id}")


def send_document(
    harness: Harness, file_name: str, data: bytes, *, mime_type: str | None = None,
    user_id: int = ADMIN, declared_size: int | None = None, omit_size: bool = False,
) -> int:  # fmt: skip
    """A user sends a file (a Telegram document message); the double serves its bytes.

    `declared_size` is what Telegram says the file holds (its length by default);
    `omit_size` leaves it out, as Telegram may.
    """
    api = harness.api
    file_id = api.register_file(data, suffix=file_name.rsplit(".", 1)[-1])
    update = api.make_message_update(user_id, user_id, "document")
    message = update["message"]
    del message["text"]
    message["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id[-6:]}",
        "file_name": file_name,
    }
    if not omit_size:
        message["document"]["file_size"] = declared_size or len(data)
    if mime_type is not None:
        message["document"]["mime_type"] = mime_type
    return api.push_update(update)


async def count_rows(harness: Harness, model: type) -> int:
    async with harness.bot.services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

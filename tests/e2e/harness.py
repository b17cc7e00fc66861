"""The whole bot, started as run_bot.py starts it, against the Bot API and LLM doubles."""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.runner import RunningBot, start
from bot.settings import BotModeSettings, Settings, TelegramSettings, WebSettings
from core.clock import Clock
from core.config import (
    AccessSettings,
    AppSettings,
    ComfySettings,
    CrewSettings,
    DatabaseSettings,
    LLMSettings,
    MemorySettings,
    SMTPSettings,
)
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble

ADMIN = 1001
OTHER_ADMIN = 1002
STRANGER = 666
NO_ENV: dict[str, Any] = {"_env_file": None}


TEXT_METHODS = ("sendMessage", "editMessageText")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], *, within: float = 10.0, what: str = ""
) -> None:
    """Wait until `check()` (sync or async) is true, failing at the deadline.

    For what the bot does after the message a test awaited: the Telegram double records a
    call once answered, before the handler's next line runs, so a row the handler writes,
    a metric it counts or a step it clears after that message may not be there yet. Poll
    for it rather than sleep; to show that something did NOT happen, wait for a later
    message instead.
    """
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if await result if inspect.isawaitable(result) else result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never true within {within} s: {what or check}")
        await asyncio.sleep(0.01)


async def cards_released(harness: Harness) -> None:
    """Every card's claim released. A chat 🔄 releases the card's claim before it shows the
    result on the card, so a test that taps the new card needs no wait; one that checks
    the claims after something other than the card (the model's request, a log line, the
    Mini App's answer) waits for this first."""

    async def released() -> bool:
        return await harness.bot.services.cards.left_over() == []

    await eventually(released, what="every card's claim released")


def make_settings(
    api: TelegramApiDouble, llm: FakeLLMServer | None, data_dir: Path, **overrides: Any
) -> Settings:
    llm_settings = LLMSettings(
        **NO_ENV,
        model="openai/test-model" if llm else None,
        api_base=llm.url if llm else None,
        api_key="sk-test",
        timeout_s=overrides.pop("llm_timeout_s", 5),
        price_input_per_mtok=Decimal("1"),
        price_output_per_mtok=Decimal("2"),
        daily_budget_usd=overrides.pop("budget", Decimal("10")),
        max_retries=0,
        cache_ttl_s=overrides.pop("cache_ttl_s", 0),
    )
    mode = overrides.pop("mode", None) or BotModeSettings(**NO_ENV)
    telegram = TelegramSettings(
        **NO_ENV,
        bot_token="123456:TEST",
        api_base_url=api.base_url,
        file_base_url=api.file_base_url,
        webhook_secret=overrides.pop("webhook_secret", None),
    )
    return Settings(
        telegram=telegram,
        access=AccessSettings(**NO_ENV, admin_user_ids=frozenset({ADMIN, OTHER_ADMIN})),
        mode=mode,
        web=WebSettings(**NO_ENV, host="127.0.0.1", port=free_port()),
        database=DatabaseSettings(
            **NO_ENV,
            database_url=overrides.pop("database_url", f"sqlite+aiosqlite:///{data_dir}/bot.db"),
        ),
        llm=llm_settings,
        comfy=overrides.pop("comfy", None) or ComfySettings(**NO_ENV),
        smtp=SMTPSettings(**NO_ENV),
        app=AppSettings(
            **NO_ENV,
            timezone="Europe/Berlin",
            data_dir=data_dir,
            pipeline_webhook_secret=overrides.pop("pipeline_webhook_secret", None),
        ),
        # Off unless a test asks: the scripted model answers of other tests stay theirs.
        crew=CrewSettings(
            **NO_ENV,
            enabled=overrides.pop("crew_enabled", False),
            step_timeout_s=overrides.pop("crew_step_timeout_s", 5),
        ),
        # Off unless a test asks (memory_enabled=True): the bundled model, offline.
        memory=MemorySettings(**NO_ENV, enabled=overrides.pop("memory_enabled", False)),
    )


@dataclass
class Harness:
    api: TelegramApiDouble
    llm: FakeLLMServer
    bot: RunningBot
    chat_id: int = ADMIN
    _seen: set[int] = field(default_factory=set)

    def send(self, text: str, *, user_id: int = ADMIN, chat_id: int | None = None) -> int:
        chat = chat_id if chat_id is not None else user_id
        return self.api.push_update(self.api.make_message_update(chat, user_id, text))

    def tap(
        self,
        message_id: int,
        data: str,
        *,
        user_id: int = ADMIN,
        chat_id: int | None = None,
        stale: bool = False,
    ) -> int:
        """Press a button; `stale` presses one from another copy of the card (e.g. /approve)."""
        chat = chat_id if chat_id is not None else user_id
        update = self.api.make_callback_update(
            chat, user_id, message_id, data, check_button=not stale
        )
        return self.api.push_update(update)

    async def said(
        self,
        text: str,
        *,
        within: float = 20.0,
        unless: str | None = None,
        on: int | None = None,
    ) -> RecordedCall:
        """The first message the bot sent or edited, not yet returned, containing `text`.

        `unless` names text that means `text` will never come (an error reply), so a long
        wait fails as soon as the bot says it rather than at the deadline. `on` keeps to one
        message id, leaving other messages' matches for later calls.
        """
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            for call in self.api.calls:
                if id(call) in self._seen or call.method not in TEXT_METHODS:
                    continue
                if on is not None and (not call.ok or self.message_id_of(call) != on):
                    continue
                said = str(call.params.get("text", ""))
                if call.ok and text in said:
                    self._seen.add(id(call))
                    return call
                if call.ok and unless is not None and unless in said:
                    raise AssertionError(f"the bot said {said!r} instead of {text!r}")
            await asyncio.sleep(0.01)
        recent = [(c.method, str(c.params.get("text", ""))[:80]) for c in self.api.calls[-8:]]
        raise AssertionError(f"the bot never said {text!r}; recent calls: {recent}")

    def message_id_of(self, call: RecordedCall) -> int:
        if call.method == "editMessageText":
            return int(call.params["message_id"])
        result: dict[str, Any] = call.result
        return int(result["message_id"])

    @property
    def web_url(self) -> str:
        web = self.bot.services.settings.web
        return f"http://{web.host}:{web.port}"


def with_api(settings: Settings, token: str, **app: Any) -> Settings:
    """`settings` with the REST API on behind `token` (and any other app settings)."""
    update = {"api_token": SecretStr(token), **app}
    return replace(settings, app=settings.app.model_copy(update=update))


@asynccontextmanager
async def running(
    api: TelegramApiDouble,
    llm: FakeLLMServer | None,
    settings: Settings,
    *,
    clock: Clock | None = None,
) -> AsyncIterator[Harness]:
    """The bot started with `settings` (on `clock`, if given) and polling, stopped when the
    block ends. `llm` is None on a real model (tests/e2e/local_model.py): nothing to script."""
    bot = await start(settings, clock=clock)
    try:
        await api.wait_for("getUpdates", timeout=10)
        yield Harness(api, llm, bot)  # type: ignore[arg-type]
    finally:
        await bot.stop()

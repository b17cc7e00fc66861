"""`python run_bot.py check`: every configured part is reached, nothing is sent or published,
and each ✗ comes with its fix. As a process against the doubles, and its parts in-process."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from bot.check import FAILED, OK, Result, check, run_checks
from bot.settings import Settings
from core.config import AppSettings, ComfySettings, DatabaseSettings, LLMSettings, SMTPSettings
from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.dovecot import Account
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.local_server import serve
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.harness import NO_ENV, free_port, make_settings

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "@shop_news"
WEBHOOK_SECRET = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="


class Smtp:
    """An SMTP server (aiosmtpd) that keeps whatever it is sent."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Smtp, int]]:
    box = Smtp()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@pytest.fixture
async def hook() -> AsyncIterator[tuple[list[str], str]]:
    """A webhook receiver like Make's: records the methods it saw."""
    methods: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        methods.append(request.method)
        return web.Response(status=int(request.query.get("status", "200")))

    app = web.Application()
    app.router.add_route("*", "/hook", answer)
    async with serve(app) as base_url:
        yield methods, f"{base_url}/hook"


def _channel(api: TelegramApiDouble, *, status: str = "administrator") -> None:
    def chat(call: RecordedCall) -> dict[str, Any]:
        return {
            "id": -1001234567890,
            "type": "channel",
            "title": "Shop news",
            "username": "shop_news",
        }

    def member(call: RecordedCall) -> dict[str, Any]:
        assert call.params["user_id"] == api.bot_user["id"]
        return {"status": status, "user": api.bot_user, "can_post_messages": True}

    api.respond_with("getChat", chat)
    api.respond_with("getChatMember", member)


def _lines(output: str) -> dict[str, str]:
    """Part name -> its line (and fix), from the printed table."""
    rows: dict[str, str] = {}
    last = ""
    for line in output.splitlines():
        if line[:1] in (OK, FAILED, "–"):
            last = line[2:].split("  ")[0].strip()
            rows[last] = line
        elif line.strip().startswith("fix:"):
            rows[last] += "\n" + line.strip()
    return rows


# -- as a process ----------------------------------------------------------------------------


def _env(api: TelegramApiDouble, tmp_path: Path, **settings: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LITELLM_LOCAL_MODEL_COST_MAP")}
    database = tmp_path / "bot.db"
    sqlite3.connect(database).close()
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "ADMIN_USER_IDS": "1001",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        **settings,
    }


async def _check(env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run_bot.py"), "check", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, errors = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, out.decode(), errors.decode()


async def test_check_reaches_every_configured_part_and_sends_nothing(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    smtp: tuple[Smtp, int],
    hook: tuple[list[str], str],
    imap_account: Account,
    tmp_path: Path,
) -> None:
    _channel(telegram_api)
    llm_server.reply("OK")
    uid = imap_account.append(b"From: ana@example.com\r\nSubject: Hello\r\n\r\nHi\r\n")
    env = _env(
        telegram_api, tmp_path, PUBLISH_CHAT_ID=CHANNEL,
        LLM_MODEL="openai/test-model", LLM_API_BASE=llm_server.url, LLM_API_KEY="sk-test",
        LLM_PRICE_INPUT_PER_MTOK="1", LLM_PRICE_OUTPUT_PER_MTOK="2",
        COMFYUI_URL=comfyui.url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp[1]),
        SMTP_STARTTLS="false", EMAIL_FROM="copilot@shop.example",
        PUBLISH_WEBHOOK_URL=hook[1], PUBLISH_WEBHOOK_SECRET=WEBHOOK_SECRET,
        IMAP_HOST="127.0.0.1", IMAP_PORT=str(imap_account.server.imap_port), IMAP_TLS="false",
        IMAP_USERNAME=imap_account.username, IMAP_PASSWORD=imap_account.password,
    )  # fmt: skip
    code, out, errors = await _check(env, tmp_path)
    assert code == 0, out + errors
    rows = _lines(out)
    assert set(rows) == {"settings", "database", "Telegram", "publish chat", "AI model",
                         "ComfyUI", "image workflow", "SMTP", "webhook", "IMAP",
                         "semantic memory"}  # fmt: skip
    assert all(row.startswith(OK) for row in rows.values()), out
    assert out.strip().endswith("All 11 configured parts work.")
    assert "INBOX has 1 messages" in rows["IMAP"]
    assert "\\Seen" not in imap_account.flags(uid) and imap_account.password not in out
    me = telegram_api.bot_user
    assert f"@{me['username']} (id {me['id']})" in rows["Telegram"]
    assert "channel Shop news: the bot may post" in rows["publish chat"]
    assert "0.3.64" in rows["ComfyUI"]
    # Reached, and nothing published, posted or mailed on the way.
    assert {call.method for call in telegram_api.calls} == {"getMe", "getChat", "getChatMember"}
    assert [request["max_tokens"] for request in llm_server.requests] == [1]
    assert hook[0] == ["HEAD"]
    assert smtp[0].messages == []
    assert comfyui.submissions == []
    assert "Traceback" not in errors and "sk-test" not in out


async def test_check_names_the_part_that_is_down_with_its_fix_and_exits_1(
    telegram_api: TelegramApiDouble, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # ComfyUI is not running
    code, out, errors = await _check(_env(telegram_api, tmp_path, COMFYUI_URL=down), tmp_path)
    assert code == 1
    rows = _lines(out)
    assert rows["ComfyUI"].startswith(f"{FAILED} ComfyUI")
    assert f"can't reach {down}" in rows["ComfyUI"]
    assert rows["ComfyUI"].endswith("fix: start ComfyUI, or correct COMFYUI_URL")
    assert rows["Telegram"].startswith(OK) and rows["database"].startswith(OK)
    assert "not configured (LLM_MODEL)" in rows["AI model"]
    assert rows["image workflow"].startswith(OK)  # the bundled one
    assert rows["semantic memory"].startswith(OK)  # the bundled model, on by default
    assert out.strip().endswith("1 of 6 configured parts failed.")
    assert "Traceback" not in errors


# -- its parts -------------------------------------------------------------------------------


@pytest.fixture
def settings(telegram_api: TelegramApiDouble, tmp_path: Path) -> Settings:
    """Telegram and a SQLite file; nothing else configured."""
    made = make_settings(telegram_api, None, tmp_path)
    sqlite3.connect(tmp_path / "bot.db").close()
    return made


async def _results(settings: Settings, timeout_s: float = 5.0) -> dict[str, Result]:
    return {result.part: result for result in await run_checks(settings, timeout_s)}


async def test_a_token_telegram_refuses(
    telegram_api: TelegramApiDouble, settings: Settings
) -> None:
    telegram_api.fail_next("getMe", error_code=401, description="Unauthorized")
    out = io.StringIO()
    assert await check(settings, out=out) == 1
    rows = _lines(out.getvalue())
    assert " ".join(rows["Telegram"].split()) == (
        f"{FAILED} Telegram Telegram refused TELEGRAM_BOT_TOKEN "
        "fix: copy the token again from @BotFather (/mybots, your bot, API Token)"
    )
    assert "publish chat" not in rows  # not asked with a token Telegram refused
    assert telegram_api.token not in out.getvalue()


async def test_a_channel_where_the_bot_is_no_administrator(
    telegram_api: TelegramApiDouble, settings: Settings
) -> None:
    _channel(telegram_api, status="member")
    app = AppSettings(**NO_ENV, publish_chat_id=CHANNEL)
    found = (await _results(dataclasses.replace(settings, app=app)))["publish chat"]
    assert (found.mark, found.detail) == (
        FAILED,
        "channel Shop news: the bot is not an administrator",
    )
    assert found.fix == "make the bot an administrator there who may post messages"


async def test_a_chat_telegram_does_not_know(
    telegram_api: TelegramApiDouble, settings: Settings
) -> None:
    telegram_api.fail_next("getChat", error_code=400, description="Bad Request: chat not found")
    app = AppSettings(**NO_ENV, publish_chat_id="@nobody_here")
    found = (await _results(dataclasses.replace(settings, app=app)))["publish chat"]
    assert found.mark == FAILED and "chat not found" in found.detail
    assert "add the bot to the channel or group as an administrator" in found.fix


async def test_a_model_that_refuses_the_key_and_one_without_a_price(
    llm_server: FakeLLMServer, settings: Settings
) -> None:
    llm_server.fail(401, {"error": {"message": "Incorrect API key provided", "type": "auth"}})
    llm = LLMSettings(
        **NO_ENV, model="openai/gpt-4o-mini", api_base=llm_server.url, api_key=SecretStr("sk-bad"),
        fallback_models=["openai/unpriced"], price_input_per_mtok=None, price_output_per_mtok=None,
    )  # fmt: skip
    results = await run_checks(dataclasses.replace(settings, llm=llm), 5.0)
    main, fallback = (r for r in results if r.part.startswith("AI"))
    assert (main.part, main.mark, main.fix) == ("AI model", FAILED, "check LLM_API_KEY")
    assert "openai/gpt-4o-mini" in main.detail and "Incorrect API key" in main.detail
    assert (fallback.part, fallback.mark) == ("AI fallback", FAILED)
    assert fallback.detail == "openai/unpriced has no known price"
    assert fallback.fix.startswith("set LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK")
    assert len(llm_server.requests) == 1  # the unpriced one is not called


async def test_a_webhook_receiver_in_trouble_a_mail_server_away_and_a_broken_workflow(
    hook: tuple[list[str], str], settings: Settings, tmp_path: Path
) -> None:
    workflow = tmp_path / "ui_format.json"
    workflow.write_text(json.dumps({"nodes": [], "links": []}))
    changed = dataclasses.replace(
        settings,
        app=AppSettings(**NO_ENV, publish_webhook_url=f"{hook[1]}?status=502",
                        publish_webhook_secret=WEBHOOK_SECRET),
        smtp=SMTPSettings(**NO_ENV, host="127.0.0.1", port=free_port(), starttls=False,
                          EMAIL_FROM="copilot@shop.example"),
        comfy=ComfySettings(**NO_ENV, workflow=workflow),
    )  # fmt: skip
    found = await _results(changed)
    assert (found["webhook"].mark, found["webhook"].detail) == (
        FAILED, "127.0.0.1 answered HEAD with 502"
    )  # fmt: skip
    assert found["SMTP"].mark == FAILED and found["SMTP"].fix == "check SMTP_HOST and SMTP_PORT"
    assert found["image workflow"].mark == FAILED
    assert "UI-format workflow" in found["image workflow"].detail
    assert found["ComfyUI"].detail == "not configured (COMFYUI_URL)"
    assert hook[0] == ["HEAD"]


async def test_a_webhook_that_only_takes_post_still_counts_as_reachable(
    hook: tuple[list[str], str], settings: Settings
) -> None:
    app = AppSettings(**NO_ENV, publish_webhook_url=f"{hook[1]}?status=405",
                      publish_webhook_secret=WEBHOOK_SECRET)  # fmt: skip
    found = (await _results(dataclasses.replace(settings, app=app)))["webhook"]
    assert (found.mark, found.detail) == (OK, "127.0.0.1 answers (HEAD: 405; nothing was sent)")


async def test_databases_that_cannot_be_used_and_one_still_to_be_made(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    closed = DatabaseSettings(**NO_ENV, database_url=f"postgresql+asyncpg://u@127.0.0.1:{port}/db")
    found = (await _results(dataclasses.replace(settings, database=closed)))["database"]
    assert found.mark == FAILED and "connection refused" in found.detail
    assert found.fix == "start it, or correct the host and port in DATABASE_URL"
    later = tmp_path / "later" / "copilot.db"
    fresh = DatabaseSettings(**NO_ENV, database_url=f"sqlite+aiosqlite:///{later}")
    found = (await _results(dataclasses.replace(settings, database=fresh)))["database"]
    assert (found.mark, found.detail) == (
        OK,
        f"the SQLite file {later} will be made at the first start",
    )
    assert not later.parent.exists()  # check made nothing


async def test_a_part_that_does_not_answer_in_time(
    telegram_api: TelegramApiDouble, settings: Settings
) -> None:
    telegram_api.delay("getMe", 2)
    found = (await _results(settings, timeout_s=0.3))["Telegram"]
    assert (found.mark, found.detail) == (FAILED, "no answer within 0.3 s")

"""The aiohttp transport under PTB's Bot: same requests as httpx, PTB's errors, timeouts.

The Telegram double checks every request against the Bot API spec; a small aiohttp
server plays a Telegram that is slow, to show each timeout fires.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.telegram_http import AiohttpRequest
from tests.doubles.local_server import serve
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble

CHAT = 515151
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Approve ✅", callback_data="s:ap:7:1")]])
ME = {"id": 42, "is_bot": True, "first_name": "Copilot", "username": "copilot_bot"}


def _bot(api: TelegramApiDouble, request: BaseRequest) -> Bot:
    return Bot(api.token, base_url=api.base_url, base_file_url=api.file_base_url, request=request)


async def _conversation(bot: Bot) -> None:
    """What the bot sends in a day: text with HTML and buttons, an edit, a photo upload."""
    sent = await bot.send_message(
        CHAT, "<b>Plan</b> for <i>Mon</i> &amp; more — ünïcode 🚀", parse_mode="HTML",
        reply_markup=KEYBOARD,
    )  # fmt: skip
    await bot.edit_message_text("<b>Done</b>", chat_id=CHAT, message_id=sent.message_id,
                                parse_mode="HTML")  # fmt: skip
    await bot.send_photo(CHAT, PNG, caption="Winner <b>#3</b>", parse_mode="HTML",
                         filename="winner.png")  # fmt: skip


def _shape(call: RecordedCall) -> tuple[str, dict[str, Any], list[tuple[str, Any, str, bytes]]]:
    files = [(f.name, f.filename, f.content_type, f.data) for f in call.files.values()]
    params = {k: v for k, v in call.params.items() if k != "message_id"}
    return call.method, params, files


async def test_telegram_receives_the_same_requests_as_from_httpx(
    telegram_api: TelegramApiDouble,
) -> None:
    for request in (HTTPXRequest(), AiohttpRequest()):
        async with _bot(telegram_api, request) as bot:
            await _conversation(bot)
    by_httpx, by_aiohttp = _split(telegram_api.calls)

    assert [c.method for c in by_aiohttp] == ["getMe", "sendMessage", "editMessageText",
                                              "sendPhoto"]  # fmt: skip
    assert [_shape(c) for c in by_aiohttp] == [_shape(c) for c in by_httpx]
    assert all(c.ok for c in by_aiohttp)
    assert by_aiohttp[3].files["photo"].data == PNG


def _split(calls: list[RecordedCall]) -> tuple[list[RecordedCall], list[RecordedCall]]:
    half = len(calls) // 2
    return calls[:half], calls[half:]


async def test_telegram_errors_become_ptbs_errors(telegram_api: TelegramApiDouble) -> None:
    async with _bot(telegram_api, AiohttpRequest()) as bot:
        telegram_api.fail_next("sendMessage", error_code=429, retry_after=7)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(CHAT, "hi")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")

    assert flood.value.retry_after == dtm.timedelta(seconds=7)
    [bad_html] = telegram_api.expect_violations()  # sent on purpose
    assert "<b>unclosed" in str(bad_html)


# -- a Telegram that takes its time ---------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def slow_telegram() -> AsyncIterator[tuple[str, list[str]]]:
    """getMe answers at once; anything else after 2 s. Yields the base URL and the
    User-Agent and Content-Type of each request."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(f"{request.headers.get('User-Agent')} | {request.content_type}")
        await request.read()
        if request.path.endswith("/getMe"):
            return web.json_response({"ok": True, "result": ME})
        await asyncio.sleep(2)
        if request.path.endswith("/getUpdates"):
            return web.json_response({"ok": True, "result": []})
        return web.json_response({"ok": True, "result": ME})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    async with serve(app) as base_url:
        yield f"{base_url}/bot", seen


async def _timed(call: Awaitable[object]) -> float:
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await call
    return time.monotonic() - started


async def test_a_slow_answer_times_out(slow_telegram: tuple[str, list[str]]) -> None:
    base_url, seen = slow_telegram
    async with Bot("1:x", base_url=base_url, request=AiohttpRequest(read_timeout=0.2)) as bot:
        assert await _timed(bot.send_message(CHAT, "hi")) < 1.5

    assert seen[0].startswith("python-telegram-bot")
    assert seen[1].endswith("application/x-www-form-urlencoded")


async def test_a_long_poll_waits_past_the_read_timeout(
    slow_telegram: tuple[str, list[str]],
) -> None:
    """PTB adds getUpdates' `timeout` to this request's read timeout: a 2 s long poll
    with a 1 s read timeout is an answer, not a TimedOut."""
    base_url, _ = slow_telegram
    async with Bot("1:x", base_url=base_url, request=AiohttpRequest(read_timeout=1)) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=3) == ()
    assert time.monotonic() - started >= 1.9


async def test_a_slow_upload_times_out(slow_telegram: tuple[str, list[str]]) -> None:
    base_url, seen = slow_telegram
    request = AiohttpRequest(read_timeout=0.1, media_write_timeout=0.1, connect_timeout=0.1,
                             pool_timeout=0.1)  # fmt: skip
    async with Bot("1:x", base_url=base_url, request=request) as bot:
        assert await _timed(bot.send_photo(CHAT, PNG)) < 1.5

    assert seen[1].endswith("multipart/form-data")


async def test_waiting_for_a_pooled_connection_times_out(
    slow_telegram: tuple[str, list[str]],
) -> None:
    base_url, _ = slow_telegram
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1, connect_timeout=0.1)
    async with Bot("1:x", base_url=base_url, request=request) as bot:
        holder = asyncio.create_task(bot.send_message(CHAT, "takes the only connection"))
        await asyncio.sleep(0.1)
        assert await _timed(bot.send_message(CHAT, "waits for it")) < 1.5
        holder.cancel()


async def test_an_unreachable_server_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as error:
            await request.post("http://127.0.0.1:9/bot1:x/getMe")  # the discard port: closed
    finally:
        await request.shutdown()

    assert "aiohttp.ClientConnectorError" in str(error.value)
    assert not isinstance(error.value, TimedOut)


async def test_it_must_be_initialized_and_can_start_again(telegram_api: TelegramApiDouble) -> None:
    request = AiohttpRequest()
    url = f"{telegram_api.base_url}{telegram_api.token}/getMe"
    username = telegram_api.bot_user["username"]
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps it
        await request.post(url)
    try:
        await request.initialize()
        assert _username(await request.post(url)) == username
        await request.shutdown()
        await request.shutdown()  # twice is fine: PTB shuts down each request once per bot
        with pytest.raises(NetworkError, match="not initialized"):
            await request.post(url)
        await request.initialize()
        assert _username(await request.post(url)) == username
    finally:
        await request.shutdown()


def _username(me: object) -> object:
    assert isinstance(me, dict)
    return me["username"]


async def test_the_proxy_from_the_environment_is_used_and_no_proxy_is_respected(
    slow_telegram: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow double plays an HTTP proxy: it answers getMe for any host it is asked for."""
    proxy_url = slow_telegram[0].removesuffix("/bot")
    telegram = "http://api.telegram.invalid/bot1:x/getMe"  # .invalid never resolves
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    request = AiohttpRequest(connect_timeout=2)
    await request.initialize()
    try:
        assert _username(await request.post(telegram)) == ME["username"]
        monkeypatch.setenv("NO_PROXY", "api.telegram.invalid")
        assert _username(await request.post(telegram)) == ME["username"]  # read at start
        await request.shutdown()
        await request.initialize()  # a new start reads the environment again
        with pytest.raises(NetworkError):
            await request.post(telegram)
    finally:
        await request.shutdown()

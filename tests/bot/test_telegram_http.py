"""The aiohttp transport under PTB's Bot: same requests as httpx, PTB's errors, timeouts.

The Telegram double checks every request against the Bot API spec; a small aiohttp
server plays a Telegram that is slow, to show each timeout fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.adapters.telegram_http import (
    AiohttpRequest,
    ConnectTimedOut,
    CouldNotConnect,
    RequestNotSent,
)
from tests.doubles.dead_ends import closed_port, full_backlog, silent_server, unresolvable_host
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


async def _timed(call: Awaitable[object], *, not_sent: bool = False) -> float:
    """How long until `call` timed out; `not_sent`: the timeout says nothing left."""
    started = time.monotonic()
    with pytest.raises(TimedOut) as timed_out:
        await call
    assert isinstance(timed_out.value, RequestNotSent) is not_sent
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


@pytest.mark.parametrize("upload", [False, True], ids=["message", "upload"])
async def test_waiting_for_a_pooled_connection_times_out_and_sends_nothing(
    slow_telegram: tuple[str, list[str]], upload: bool
) -> None:
    base_url, seen = slow_telegram
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1, connect_timeout=0.1)
    async with Bot("1:x", base_url=base_url, request=request) as bot:
        holder = asyncio.create_task(bot.send_message(CHAT, "takes the only connection"))
        await asyncio.sleep(0.1)
        waiting = bot.send_photo(CHAT, PNG) if upload else bot.send_message(CHAT, "waits")
        assert await _timed(waiting, not_sent=True) < 1.5
        holder.cancel()
    assert len(seen) == 2  # getMe and the holder: the one that waited never arrived


# -- a Telegram that can't be reached: did the request leave? --------------------------------


async def test_a_refused_connection_is_a_network_error_that_was_not_sent() -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    async with _down(base_url, AiohttpRequest(connect_timeout=1)) as bot:
        with pytest.raises(NetworkError) as error:
            await bot.send_message(CHAT, "hi")

    assert isinstance(error.value, CouldNotConnect) and not isinstance(error.value, TimedOut)
    assert "aiohttp.ClientConnectorError: Cannot connect to host" in str(error.value)
    assert isinstance(error.value.__cause__, aiohttp.ClientConnectorError)


async def test_a_name_that_does_not_resolve_was_not_sent() -> None:
    host = await unresolvable_host()
    request = AiohttpRequest(connect_timeout=5)
    await request.initialize()
    try:
        with pytest.raises(CouldNotConnect) as error:
            await request.post(f"http://{host}/bot1:x/getMe")
    finally:
        await request.shutdown()

    assert isinstance(error.value.__cause__, aiohttp.ClientConnectorDNSError)
    assert "1:x" not in str(error.value)  # the URL holds the token: never in a message


@pytest.mark.parametrize("upload", [False, True], ids=["message", "upload"])
async def test_no_connection_in_time_is_a_timeout_that_was_not_sent(upload: bool) -> None:
    request = AiohttpRequest(connect_timeout=0.3, read_timeout=5, media_write_timeout=5)
    with full_backlog() as base_url:
        async with _down(base_url, request) as bot:
            call = bot.send_photo(CHAT, PNG) if upload else bot.send_message(CHAT, "hi")
            started = time.monotonic()
            with pytest.raises(ConnectTimedOut) as error:
                await call
            assert time.monotonic() - started < 2

    assert isinstance(error.value.__cause__, aiohttp.ConnectionTimeoutError)
    assert "1:x" not in str(error.value)  # aiohttp's message has the URL, with the token


@pytest.mark.parametrize("hang_up", [False, True], ids=["no-answer", "hung-up"])
async def test_a_request_read_and_not_answered_may_have_arrived(hang_up: bool) -> None:
    async with (
        silent_server(read=True, hang_up=hang_up) as server,
        _down(server.url, AiohttpRequest(read_timeout=0.3)) as bot,
    ):
        with pytest.raises(NetworkError) as error:
            await bot.send_message(CHAT, "hello there")

    assert not isinstance(error.value, RequestNotSent)
    assert isinstance(error.value, TimedOut) is not hang_up
    [arrived] = server.requests
    assert arrived.startswith(b"POST /bot1:x/sendMessage") and b"hello+there" in arrived


async def test_a_server_that_accepts_and_never_reads_may_have_the_request() -> None:
    async with silent_server(read=False) as server:
        async with _down(server.url, AiohttpRequest(read_timeout=0.3)) as bot:
            assert await _timed(bot.send_message(CHAT, "hi"), not_sent=False) < 1.5
        assert server.connections == 1


@contextlib.asynccontextmanager
async def _down(base_url: str, request: AiohttpRequest) -> AsyncIterator[Bot]:
    """A Bot on a transport that is up, for a Telegram that went away after start-up
    (Bot.initialize would ask it getMe)."""
    await request.initialize()
    try:
        yield Bot("1:x", base_url=f"{base_url}/bot", request=request)
    finally:
        await request.shutdown()


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

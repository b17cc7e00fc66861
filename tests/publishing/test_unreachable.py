"""A destination that can't be reached, through the real transport, the real publishers
and the dispatcher, on SQLite and PostgreSQL.

A request that never left (connection refused, a name that does not resolve, no
connection in time) is retried with backoff, then `failed`; one that may have arrived (no
answer, or the connection dropped after the request was written) is `unknown`, sent once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.adapters.telegram_channel import TelegramChannelPublisher
from bot.adapters.telegram_http import AiohttpRequest
from bot.adapters.webhook_sender import WebhookPublisher
from core.publishing.errors import PublishError, TransientError
from core.publishing.types import Progress, Publication, Publisher, Target
from tests.campaigns.helpers import MutableClock
from tests.doubles.dead_ends import closed_port, full_backlog, silent_server, unresolvable_host
from tests.doubles.telegram_api import TelegramApiDouble
from tests.publishing.helpers import (
    CHANNEL,
    FAST,
    FakeAlerter,
    add_post,
    delivery,
    dispatcher,
    status_of,
)

Sessions = async_sessionmaker[AsyncSession]
SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHM="
TIMEOUT_S = 0.3
TRIES = FAST.retries + 1
TOKEN = TelegramApiDouble().token


@asynccontextmanager
async def _telegram(base_url: str) -> AsyncIterator[Publisher]:
    """The channel publisher on the transport the bot uses, with short timeouts.

    Its transport is started as Bot.initialize starts it, without the getMe: this
    Telegram went away after start-up.
    """
    request = AiohttpRequest(
        read_timeout=TIMEOUT_S, write_timeout=TIMEOUT_S, connect_timeout=TIMEOUT_S,
        pool_timeout=TIMEOUT_S, media_write_timeout=TIMEOUT_S,
    )  # fmt: skip
    await request.initialize()
    try:
        yield TelegramChannelPublisher(Bot(TOKEN, base_url=f"{base_url}/bot", request=request))
    finally:
        await request.shutdown()


@asynccontextmanager
async def _webhook(base_url: str) -> AsyncIterator[Publisher]:
    clock = MutableClock()
    publisher = WebhookPublisher(f"{base_url}/hook", SECRET, clock, timeout_s=TIMEOUT_S)
    try:
        yield publisher
    finally:
        await publisher.close()


Opener = Callable[[str], AbstractAsyncContextManager[Publisher]]
KINDS: dict[str, tuple[Opener, Target]] = {
    "telegram": (_telegram, CHANNEL),
    "webhook": (_webhook, Target("webhook")),
}


async def _publish(sessions: Sessions, kind: str, base_url: str) -> tuple[int, FakeAlerter]:
    """One approved, due post through a sweep; returns it and what the admins were told."""
    opener, target = KINDS[kind]
    post_id, alerter = await add_post(sessions), FakeAlerter()
    async with opener(base_url) as publisher:
        worker = dispatcher(sessions, MutableClock(), publisher, alerter, default_target=target)
        await worker.sweep()
        await worker.wait_idle()
    return post_id, alerter


@asynccontextmanager
async def _refused() -> AsyncIterator[str]:
    yield f"http://127.0.0.1:{closed_port()}"


@asynccontextmanager
async def _unresolvable() -> AsyncIterator[str]:
    yield f"http://{await unresolvable_host()}"


@asynccontextmanager
async def _no_connection_in_time() -> AsyncIterator[str]:
    with full_backlog() as base_url:
        yield base_url


NEVER_SENT = {
    "refused": _refused,
    "no-dns": _unresolvable,
    "connect-timeout": _no_connection_in_time,
}
REASONS = {
    "telegram": "Telegram could not be reached (",
    "webhook": "The webhook could not be reached (",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("where", NEVER_SENT)
async def test_a_request_that_never_left_is_retried_with_backoff_then_failed(
    session_factory: Sessions, kind: str, where: str
) -> None:
    async with NEVER_SENT[where]() as base_url:
        post_id, alerter = await _publish(session_factory, kind, base_url)

    assert await status_of(session_factory, post_id) == "failed"
    assert (await delivery(session_factory, post_id)).attempts == TRIES
    assert alerter.kinds() == [(post_id, "failed")]
    reason = alerter.alerts[0].reason
    expected = REASONS[kind]
    if (kind, where) == ("webhook", "connect-timeout"):
        expected = "The webhook did not accept a connection in time."
    assert reason.startswith(expected) and reason.endswith(f"(tried {TRIES} times)")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("read", "hang_up"),
    [(False, False), (True, False), (True, True)],
    ids=["accepts-and-hangs", "reads-and-hangs", "reads-and-hangs-up"],
)
async def test_a_request_that_may_have_arrived_is_unknown_and_never_sent_again(
    session_factory: Sessions, kind: str, read: bool, hang_up: bool
) -> None:
    async with silent_server(read=read, hang_up=hang_up) as server:
        post_id, alerter = await _publish(session_factory, kind, server.url)

    assert await status_of(session_factory, post_id) == "unknown"
    assert (await delivery(session_factory, post_id)).attempts == 1
    assert alerter.kinds() == [(post_id, "unknown")]
    assert server.connections == 1
    assert len(server.requests) == (1 if read else 0)


@dataclass
class ComesBack:
    """The real publisher; Telegram starts listening on its port once a try failed."""

    inner: Publisher
    api: TelegramApiDouble
    port: int
    failures: list[PublishError] = field(default_factory=list)

    async def publish(self, publication: Publication, progress: Progress) -> None:
        try:
            await self.inner.publish(publication, progress)
        except PublishError as error:
            self.failures.append(error)
            await self.api.start(port=self.port)
            raise


async def test_a_refused_post_goes_out_once_telegram_is_back(session_factory: Sessions) -> None:
    port, api, alerter = closed_port(), TelegramApiDouble(), FakeAlerter()
    post_id = await add_post(session_factory)
    try:
        async with _telegram(f"http://127.0.0.1:{port}") as publisher:
            back = ComesBack(publisher, api, port)
            worker = dispatcher(session_factory, MutableClock(), back, alerter)
            await worker.sweep()
            await worker.wait_idle()
    finally:
        await api.stop()

    assert [type(error) for error in back.failures] == [TransientError]
    assert await status_of(session_factory, post_id) == "published"
    assert (await delivery(session_factory, post_id)).attempts == 2
    [message] = api.messages_in(CHANNEL.address)
    assert message["text"] == "Our autumn candle is back.\n\n#autumn"
    assert alerter.alerts == [] and api.violations == []

"""The Mini App re-reads by itself: while it is in view and nobody is typing, the queue and
the calendar are read again every 20 s, so a decision taken in the chat shows in the app
without switching tabs; nothing is read while the app is hidden. Real time (about 70 s):
the page's timers are its own, as on a phone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.webapp_fixtures import AppPage, open_app
from tests.e2e.campaign_support import bot_on, buttons
from tests.e2e.harness import Harness
from tests.miniapp_browser.support import init_data
from tests.miniapp_browser.test_queue import _as_call, _posts_with_chat_cards, _state

POLL_S = 20
WITHIN_MS = (POLL_S + 6) * 1000  # one interval, and the read and swap on a loaded machine


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    """On SQLite: the transitions themselves are tested on both databases elsewhere."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    async with bot_on(telegram_api, llm_server, tmp_path, url) as harness:
        yield harness


def _reads(app: AppPage, path: str) -> int:
    return sum(1 for url in app.requests if f"/app/api/view/{path}" in url)


async def test_a_chat_decision_shows_in_the_open_queue_but_not_under_an_edit(
    bot: Harness, browser: Browser
) -> None:
    cards = await _posts_with_chat_cards(bot, 2)
    (first, first_message), (second, _) = cards.items()
    app = await _open(bot, browser, "queue")
    page = app.page
    first_card = page.locator(f'[data-card="post:{first}"]')
    second_card = page.locator(f'[data-card="post:{second}"]')
    await expect(first_card).to_be_visible()

    # Someone is typing on the second card: the app leaves the page alone...
    await second_card.locator('[data-action="edit"]').click()
    await second_card.locator("textarea").fill("Half-written new words")
    bot.tap(first_message, buttons(_as_call(bot, first_message))["✅ Approve"])
    await bot.api.wait_for("answerCallbackQuery")
    assert (await _state(bot, first))[1] is not None  # approved in the chat
    reads = _reads(app, "queue")
    await asyncio.sleep(POLL_S + 3)
    assert _reads(app, "queue") == reads
    await expect(first_card).to_be_visible()
    await expect(second_card.locator("textarea")).to_have_value("Half-written new words")

    # ...and once the edit is put away, the next re-read shows the chat's decision.
    await second_card.locator('[data-action="cancel-edit"]').click()
    await expect(first_card).to_have_count(0, timeout=WITHIN_MS)
    await expect(second_card).to_be_visible()
    assert app.errors == []


async def test_the_calendar_re_reads_while_in_view_and_never_while_hidden(
    bot: Harness, browser: Browser
) -> None:
    app = await _open(bot, browser, "calendar")
    await _read_after(app, "calendar", _reads(app, "calendar"), WITHIN_MS)

    # Telegram hid the app (the person went back to the chat): no reads at all.
    await app.page.evaluate(_SET_HIDDEN, True)
    hidden, hidden_reads = len(app.requests), _reads(app, "calendar")
    await asyncio.sleep(POLL_S + 3)
    assert len(app.requests) == hidden

    # Back in view: read at once, then every interval again.
    await app.page.evaluate(_SET_HIDDEN, False)
    await _read_after(app, "calendar", hidden_reads, 5_000)
    await _read_after(app, "calendar", _reads(app, "calendar"), WITHIN_MS)
    assert app.errors == []


async def _read_after(app: AppPage, path: str, before: int, within_ms: int) -> None:
    """Wait until the page has read the view more than `before` times."""
    for _ in range(within_ms // 100):
        if _reads(app, path) > before:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the page did not read {path} again within {within_ms} ms")


# What the browser does when Telegram hides or shows the Mini App's web view.
_SET_HIDDEN = """hidden => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


async def _open(bot: Harness, browser: Browser, tab: str) -> AppPage:
    app = await open_app(browser, bot.web_url, init_data())
    if tab != "calendar":
        await app.page.locator(f'[data-tab="{tab}"]').click()
    await expect(app.page.locator("[data-card], [data-date]").first).to_be_visible()
    return app

"""The Mini App's calendar in headless Chromium, the whole bot behind it.

The page is opened as Telegram opens it (360×740, telegram-web-app.js replaced by the
double carrying signed initData); what it shows is checked on the page, and what a drag
does is checked in the database and in /schedule, the chat's own view of the same posts.
Screenshots go to test-artifacts/miniapp/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import update

from storage.models import Post
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.webapp_fixtures import DARK, LIGHT, AppPage, open_app
from tests.e2e.harness import Harness
from tests.e2e.schedule_support import add_post, publishing_settings, start_harness
from tests.miniapp_browser.support import (
    STRANGE,
    at_local,
    forged,
    init_data,
    local_today,
    mouse_drag,
    same_month_days,
    scheduled_at,
    touch_drag,
)


@asynccontextmanager
async def _bot_on(
    api: TelegramApiDouble, llm: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    settings = publishing_settings(api, llm, tmp_path, database_url=database_url)
    harness = await start_harness(api, llm, settings)
    try:
        yield harness
    finally:
        await harness.bot.stop()


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole bot with a channel to publish to, on SQLite: for what only reads."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'calendar.db'}"
    async with _bot_on(telegram_api, llm_server, tmp_path, url) as harness:
        yield harness


@pytest.fixture
async def db_bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    """The same on SQLite and on PostgreSQL: for what moves posts."""
    async with _bot_on(telegram_api, llm_server, tmp_path, database_url) as harness:
        yield harness


async def _month_with(app: AppPage, day_iso: str) -> None:
    """Page the month view (back or on) until `day_iso` is in the month shown."""
    page = app.page
    await expect(page.locator("[data-date]").first).to_be_visible()
    for _ in range(3):
        if await page.locator(f'.cell:not(.out)[data-date="{day_iso}"]').count():
            return
        first = await page.locator("section[data-first]").get_attribute("data-first")
        assert first is not None
        shown = date.fromisoformat(first) + timedelta(days=7)  # a day of the month in focus
        name = "Previous" if day_iso[:7] < f"{shown:%Y-%m}" else "Next"
        await page.get_by_role("button", name=name).click()
        await expect(page.locator("section[data-first]")).not_to_have_attribute("data-first", first)
    raise AssertionError(f"no month shows {day_iso}")


async def test_the_calendar_opens_with_valid_init_data_and_shows_the_posts(
    bot: Harness, browser: Browser
) -> None:
    sessions = bot.bot.services.sessions
    day, _ = same_month_days(local_today(bot), 2)
    scheduled = await add_post(sessions, at=at_local(bot, day, 9, 30), title="Candle <b>week</b>")
    ready = await add_post(sessions, at=at_local(bot, day, 15), status="ready", title="Shelf tips")
    app = await open_app(browser, bot.web_url, init_data())
    await _month_with(app, day.isoformat())
    cell = app.page.locator(f'[data-date="{day.isoformat()}"]')
    first = cell.locator(f'[data-item="post:{scheduled}"]')
    await expect(first).to_have_attribute("data-status", "scheduled")
    # The title is text, never markup.
    await expect(first).to_contain_text("09:30 Candle <b>week</b>")
    await expect(cell.locator(f'[data-item="post:{ready}"]')).to_have_attribute(
        "data-status", "ready"
    )
    await expect(app.page.locator('[data-tab="calendar"]')).to_be_visible()
    await app.screenshot("calendar-month-opened")
    calls = await app.webapp_calls()
    assert calls[0] == "ready" and "expand" in calls
    # The signed data travels in the Authorization header only, never in a URL.
    assert any("/app/api/view/calendar" in url for url in app.requests)
    assert not [url for url in app.requests if "hash=" in url or "auth_date" in url]
    assert app.errors == []


@pytest.mark.parametrize(("scheme", "theme"), [("light", LIGHT), ("dark", DARK)])
async def test_the_page_follows_telegrams_theme(
    bot: Harness, browser: Browser, scheme: str, theme: dict[str, str]
) -> None:
    day, _ = same_month_days(local_today(bot), 2)
    await add_post(bot.bot.services.sessions, at=at_local(bot, day, 10), title="Theme check")
    app = await open_app(browser, bot.web_url, init_data(), theme=scheme)
    await _month_with(app, day.isoformat())
    colours = await app.page.evaluate(
        """() => { const s = getComputedStyle(document.body);
        return [s.backgroundColor, s.color]; }"""
    )
    # The page's background is one of the theme's two (Telegram's own screens use both).
    backgrounds = {_rgb(theme["bg_color"]), _rgb(theme["secondary_bg_color"])}
    assert colours[0] in backgrounds and colours[1] == _rgb(theme["text_color"])
    await app.screenshot(f"calendar-month-{scheme}")
    week = app.page.locator('[data-view="week"]')
    await week.click()
    await expect(app.page.locator("[data-slot]").first).to_be_attached()
    await app.screenshot(f"calendar-week-{scheme}")
    assert app.errors == []


async def test_a_theme_change_in_telegram_repaints_the_open_page(
    bot: Harness, browser: Browser
) -> None:
    app = await open_app(browser, bot.web_url, init_data(), theme="light")
    await expect(app.page.locator("[data-date]").first).to_be_visible()
    cell = app.page.locator(".cell:not(.out)").first
    light_cell = await cell.evaluate("c => getComputedStyle(c).backgroundColor")
    await app.page.evaluate("t => Telegram.WebApp.__double__.setTheme('dark', t)", DARK)
    await expect(app.page.locator("body")).to_have_css("color", _rgb(DARK["text_color"]))
    await expect(cell).not_to_have_css("background-color", light_cell)
    assert app.errors == []


def _rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[n : n + 2], 16) for n in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


async def test_a_busy_month_fits_the_phone(bot: Harness, browser: Browser) -> None:
    """Eight posts on one day, every status: the cell shows three and "+5", which opens the
    day's week with all eight; nothing sticks out sideways at 360 px."""
    sessions = bot.bot.services.sessions
    day, _ = same_month_days(local_today(bot), 2)
    statuses = ("draft", "awaiting_image", "ready", "scheduled", "published", "failed",
                "missed", "unknown")  # fmt: skip
    ids = [
        await add_post(sessions, at=at_local(bot, day, 8 + n), status=status,
                       title=f"{status.replace('_', ' ').capitalize()} post with a long title")
        for n, status in enumerate(statuses)
    ]  # fmt: skip
    app = await open_app(browser, bot.web_url, init_data())
    await _month_with(app, day.isoformat())
    cell = app.page.locator(f'[data-date="{day.isoformat()}"]')
    await expect(cell.locator("[data-item]")).to_have_count(len(ids))
    shown = [
        await cell.locator(f'[data-item="post:{i}"]').get_attribute("data-status") for i in ids
    ]
    assert shown == list(statuses)
    width = await app.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the month is {width} px wide"
    await app.screenshot("calendar-month-busy")
    more = cell.locator(f'[data-more="{day.isoformat()}"]')
    await expect(more).to_have_text("+5")
    await more.click()
    for n, post_id in enumerate(ids):
        slot = app.page.locator(f'[data-slot="{day.isoformat()}T{8 + n:02d}:00"]')
        await expect(slot.locator(f'[data-item="post:{post_id}"]')).to_be_visible()
    await app.screenshot("calendar-week-busy")
    assert app.errors == []


@pytest.mark.parametrize(
    ("name", "signed", "status"),
    [
        ("forged", forged(), "401"),
        ("stale", init_data(age_s=25 * 3600), "401"),
        ("not-an-admin", init_data(STRANGE), "403"),
    ],
)
async def test_a_refused_page_says_why_and_shows_no_data(
    bot: Harness, browser: Browser, name: str, signed: str, status: str
) -> None:
    day, _ = same_month_days(local_today(bot), 2)
    await add_post(bot.bot.services.sessions, at=at_local(bot, day, 9), title="Secret launch")
    app = await open_app(browser, bot.web_url, signed)
    refusal = app.page.locator(f'[data-refusal="{status}"]')
    await expect(refusal).to_be_visible()
    await app.screenshot(f"refused-{name}")
    assert await app.page.locator("[data-item]").count() == 0
    assert "Secret launch" not in await app.page.content()
    # No data or token in any URL the page asked for.
    assert not [url for url in app.requests if "hash=" in url or "tma" in url]


async def test_dragging_a_post_to_another_day_with_the_mouse_moves_it(
    db_bot: Harness, browser: Browser
) -> None:
    bot = db_bot
    sessions = bot.bot.services.sessions
    day, next_day = same_month_days(local_today(bot), 3)
    post_id = await add_post(sessions, at=at_local(bot, day, 11, 15), title="Move me")
    app = await open_app(browser, bot.web_url, init_data())
    await _month_with(app, day.isoformat())
    item = app.page.locator(f'[data-item="post:{post_id}"]')
    target = app.page.locator(f'[data-date="{next_day.isoformat()}"]')
    await mouse_drag(app.page, item, target)
    await expect(target.locator(f'[data-item="post:{post_id}"]')).to_be_visible()
    await expect(app.page.locator("#toast")).to_be_visible()
    status, at = await scheduled_at(bot, post_id)
    # Same time of day, the day it was dropped on.
    assert (status, at) == ("scheduled", at_local(bot, next_day, 11, 15))
    await app.screenshot("calendar-after-mouse-drag")
    await _schedule_agrees(bot, post_id, next_day, "11:15")
    assert app.errors == []


async def test_dragging_a_post_to_another_hour_by_touch_moves_it(
    db_bot: Harness, browser: Browser
) -> None:
    bot = db_bot
    sessions = bot.bot.services.sessions
    day = local_today(bot) + timedelta(days=2)
    post_id = await add_post(sessions, at=at_local(bot, day, 10), title="Touch me")
    app = await open_app(browser, bot.web_url, init_data(), touch=True)
    await expect(app.page.locator("[data-date]").first).to_be_visible()
    await app.page.locator('[data-view="week"]').click()
    await expect(app.page.locator("[data-slot]").first).to_be_attached()
    slot = app.page.locator(f'[data-slot="{day.isoformat()}T14:00"]')
    if not await slot.count():  # the post's week is the next one
        await app.page.get_by_role("button", name="Next").click()
        await expect(slot).to_be_attached()
    item = app.page.locator(f'[data-item="post:{post_id}"]')
    await expect(item).to_be_visible()
    await touch_drag(app.page, item, slot)
    await expect(slot.locator(f'[data-item="post:{post_id}"]')).to_be_visible()
    status, at = await scheduled_at(bot, post_id)
    assert (status, at) == ("scheduled", at_local(bot, day, 14))
    await app.screenshot("calendar-week-after-touch-drag")
    await _schedule_agrees(bot, post_id, day, "14:00")
    assert app.errors == []


async def test_dragging_a_planned_draft_moves_its_plan_and_says_so(
    db_bot: Harness, browser: Browser
) -> None:
    """A draft nobody approved has a planned time: it moves like any post, stays a draft,
    and the toast says it is not scheduled."""
    bot = db_bot
    sessions = bot.bot.services.sessions
    day, next_day = same_month_days(local_today(bot), 3)
    post_id = await add_post(sessions, at=at_local(bot, day, 16, 45), status="draft",
                             title="Plan me")  # fmt: skip
    async with sessions.begin() as session:  # nobody approved it yet
        await session.execute(
            update(Post).where(Post.id == post_id).values(approved_at=None, approved_by=None)
        )
    app = await open_app(browser, bot.web_url, init_data())
    await _month_with(app, day.isoformat())
    item = app.page.locator(f'[data-item="post:{post_id}"]')
    await expect(item).to_have_attribute("data-draggable", "true")
    target = app.page.locator(f'[data-date="{next_day.isoformat()}"]')
    await mouse_drag(app.page, item, target)
    moved = target.locator(f'[data-item="post:{post_id}"]')
    await expect(moved).to_be_visible()
    await expect(moved).to_have_attribute("data-status", "draft")
    toast = app.page.locator("#toast")
    await expect(toast).to_contain_text(f"Post #{post_id} moved to")
    await expect(toast).to_contain_text("Not scheduled yet: it is a draft.")
    await expect(toast).to_have_class("good")
    assert await scheduled_at(bot, post_id) == ("draft", at_local(bot, next_day, 16, 45))
    await app.screenshot("calendar-draft-moved")
    assert app.errors == []


async def test_a_published_post_does_not_move(db_bot: Harness, browser: Browser) -> None:
    bot = db_bot
    sessions = bot.bot.services.sessions
    yesterday, today = local_today(bot) - timedelta(days=1), local_today(bot)
    published = at_local(bot, yesterday, 9)
    post_id = await add_post(sessions, at=published, status="published", title="Already out")
    app = await open_app(browser, bot.web_url, init_data())
    await _month_with(app, yesterday.isoformat())
    item = app.page.locator(f'[data-item="post:{post_id}"]')
    await expect(item).to_have_attribute("data-status", "published")
    target = app.page.locator(f'[data-date="{(today + timedelta(days=2)).isoformat()}"]')
    if await target.count():
        await mouse_drag(app.page, item, target)
        toast = app.page.locator("#toast")  # it says why, rather than nothing at all
        await expect(toast).to_have_text("This post can't be moved: it was already published.")
        await expect(toast).to_have_class("bad")
    await expect(app.page.locator(f'[data-date="{yesterday.isoformat()}"]').locator(
        f'[data-item="post:{post_id}"]'
    )).to_be_visible()  # fmt: skip
    assert await scheduled_at(bot, post_id) == ("published", published)
    assert app.errors == []


async def test_a_post_published_while_the_page_is_open_refuses_to_move(
    db_bot: Harness, browser: Browser
) -> None:
    """The page still shows the post as movable; the drop is refused by /schedule's own
    service with its reason, and the post stays where it was."""
    bot = db_bot
    sessions = bot.bot.services.sessions
    day, next_day = same_month_days(local_today(bot), 3)
    planned = at_local(bot, day, 12)
    post_id = await add_post(sessions, at=planned, title="Going out")
    app = await open_app(browser, bot.web_url, init_data())
    await _month_with(app, day.isoformat())
    item = app.page.locator(f'[data-item="post:{post_id}"]')
    await expect(item).to_have_attribute("data-draggable", "true")
    async with sessions.begin() as session:  # the publisher got there first
        await session.execute(update(Post).where(Post.id == post_id).values(status="publishing"))
    await mouse_drag(app.page, item, app.page.locator(f'[data-date="{next_day.isoformat()}"]'))
    toast = app.page.locator("#toast")
    await expect(toast).to_contain_text(f"Post #{post_id} can't be")
    await expect(toast).to_contain_text("being published")
    home = app.page.locator(f'[data-date="{day.isoformat()}"] [data-item="post:{post_id}"]')
    await expect(home).to_be_visible()
    await app.screenshot("calendar-move-refused")
    assert await scheduled_at(bot, post_id) == ("publishing", planned)


async def _schedule_agrees(bot: Harness, post_id: int, day: date, clock: str) -> None:
    """/schedule in the chat lists the post under `day` at `clock`."""
    bot.send("/schedule")
    overview = await bot.said("Publishing plan")
    heading = ""
    for line in str(overview.params["text"]).splitlines():
        if line.startswith("<b>"):
            heading = line
        elif f"· #{post_id} " in line:
            assert (heading, line[:5]) == (f"<b>{day:%A %d %B}</b>", clock), (heading, line)
            return
    raise AssertionError(f"/schedule does not list post #{post_id}: {overview.params['text']}")

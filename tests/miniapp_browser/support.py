"""The whole bot for the browser tests: signed initData, posts in place, drags by mouse and
by finger, and what the chat and the database say afterwards."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page
from sqlalchemy import select

from storage.models import Post
from tests.doubles.init_data import sign_init_data
from tests.e2e.harness import ADMIN, STRANGER, Harness

TOKEN = "123456:TEST"  # tests/e2e/harness.make_settings's bot token
ANN = {"id": ADMIN, "first_name": "Ann", "username": "ann", "language_code": "en"}
STRANGE = {"id": STRANGER, "first_name": "Eve", "language_code": "en"}


def init_data(user: dict[str, Any] = ANN, *, age_s: int = 60, token: str = TOKEN) -> str:
    """initData as Telegram signs it for `user`, `age_s` seconds ago."""
    return sign_init_data(token, user, auth_date=int(time.time()) - age_s)


def forged(user: dict[str, Any] = ANN) -> str:
    """initData for `user` signed with another bot's token: what an attacker could make."""
    return init_data(user, token="654321:NOT-OUR-BOT")


def tz_of(bot: Harness) -> ZoneInfo:
    return bot.bot.services.settings.app.tz


def local_today(bot: Harness) -> date:
    return datetime.now(tz_of(bot)).date()


def at_local(bot: Harness, day: date, hour: int, minute: int = 0) -> datetime:
    """A wall time in the bot's TIMEZONE, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz_of(bot)).astimezone(UTC)


def same_month_days(today: date, ahead: int) -> tuple[date, date]:
    """Two days at least `ahead` days from now, next to each other and in one month: both
    are on the month that opens (or the next one; the test moves there first)."""
    first = today + timedelta(days=ahead)
    if (first + timedelta(days=1)).month != first.month:
        first += timedelta(days=2)
    return first, first + timedelta(days=1)


async def scheduled_at(bot: Harness, post_id: int) -> tuple[str, datetime | None]:
    """A post's status and time, read from the database."""
    async with bot.bot.services.sessions() as session:
        row = (
            await session.execute(select(Post.status, Post.scheduled_at).where(Post.id == post_id))
        ).one()
    at: datetime | None = row[1]
    if at is not None and at.tzinfo is None:  # SQLite gives naive UTC back
        at = at.replace(tzinfo=UTC)
    return str(row[0]), at


async def center(locator: Locator) -> tuple[float, float]:
    await locator.scroll_into_view_if_needed()
    box = await locator.bounding_box()
    assert box is not None, f"{locator} is not visible"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def mouse_drag(page: Page, item: Locator, target: Locator) -> None:
    """Press on `item`, move in small steps onto `target`, let go: what a person does."""
    x, y = await center(item)
    await page.mouse.move(x, y)
    await page.mouse.down()
    tx, ty = await center(target)
    await page.mouse.move(x + 4, y + 4, steps=2)  # past any drag threshold
    await page.mouse.move(tx, ty, steps=12)
    await page.mouse.up()


async def touch_drag(page: Page, item: Locator, target: Locator, *, hold_ms: int = 450) -> None:
    """A finger on `item`, held a moment, moved onto `target`, lifted (Chromium's own touch
    input through the DevTools protocol: the page sees touch pointer events)."""
    x, y = await center(item)
    tx, ty = await center(target)
    cdp = await page.context.new_cdp_session(page)
    try:

        async def touch(kind: str, px: float, py: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": px, "y": py}]
            await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        await touch("touchStart", x, y)
        await page.wait_for_timeout(hold_ms)  # a long press, as apps ask before a drag
        steps = 12
        for n in range(1, steps + 1):
            await touch("touchMove", x + (tx - x) * n / steps, y + (ty - y) * n / steps)
            await page.wait_for_timeout(16)
        await touch("touchEnd", tx, ty)
    finally:
        await cdp.detach()

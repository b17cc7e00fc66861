"""The calendar picture: a valid PNG, one column per weekday, blocks where posts are,
and the post's picture as a thumbnail when it has one."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from core.publishing.agenda import PlanItem, calendar_page, month_grid, week_of
from handlers.schedule.calendar_image import (
    COLOURS,
    HEADER,
    PAD,
    WEEKDAY_ROW,
    WIDTH,
    render_calendar,
)

BERLIN = ZoneInfo("Europe/Berlin")
RED = (220, 20, 20)


def _item(post_id: int, at: datetime, status: str = "scheduled", image: Path | None = None):  # type: ignore[no-untyped-def]
    return PlanItem(
        post_id, f"Post {post_id}: a rather long title that will not fit the cell", status, at,
        True, "caption", (), None, None, None, image,
    )  # fmt: skip


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_a_week_shows_each_post_in_its_day_with_its_thumbnail(tmp_path: Path) -> None:
    picture = tmp_path / "candle.png"
    Image.new("RGB", (300, 300), RED).save(picture)
    monday, end = week_of(date(2026, 11, 25))
    items = [
        _item(1, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), image=picture),  # Monday
        _item(2, datetime(2026, 11, 29, 18, 0, tzinfo=UTC), status="missed"),  # Sunday
    ]
    png = render_calendar(calendar_page(items, BERLIN, monday, end, month=None), monday, BERLIN)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == WIDTH
    column = WIDTH // 7
    top = HEADER + WEEKDAY_ROW + 32
    assert image.getpixel((PAD + 40, top + 40)) == RED  # the thumbnail, Monday
    sunday_block = image.getpixel((6 * column + column - 20, top + 10))
    assert sunday_block == _hex(COLOURS["missed"])
    tuesday = image.getpixel((column + column // 2, top + 10))
    assert tuesday == (255, 255, 255)  # nothing planned on Tuesday


def test_a_month_is_whole_weeks_and_says_how_many_more(tmp_path: Path) -> None:
    start, end = month_grid(date(2026, 10, 1))
    assert (start, end) == (date(2026, 9, 28), date(2026, 11, 2))
    busy = [_item(i, datetime(2026, 10, 25, 8, i, tzinfo=UTC)) for i in range(1, 12)]
    page = calendar_page(busy, BERLIN, start, end, month=10)
    assert page.title == "October 2026"
    png = render_calendar(page, date(2026, 10, 25), BERLIN)
    image = Image.open(io.BytesIO(png))
    assert image.size[1] > 5 * 150  # five week rows
    assert sum(len(day.items) for day in page.days) == 11

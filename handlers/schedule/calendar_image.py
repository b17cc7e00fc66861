"""A week or a month of posts as a PNG (Pillow): a coloured block per post, with the
time, the id and the title, and the post's picked image as a thumbnail when there is one.

Pure CPU work on plain data: call it in a worker thread (asyncio.to_thread).

Pillow is imported by the functions that draw, not at module load: the handlers import
this module at start-up, and a calendar is only drawn when someone asks for one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias
from zoneinfo import ZoneInfo

from core.publishing.agenda import CalendarPage, DayPlan, PlanItem
from domain.statuses import PostStatus as S

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont

log = logging.getLogger(__name__)

WIDTH = 1400
HEADER, WEEKDAY_ROW, PAD = 64, 34, 8
WEEK_HEIGHT, MONTH_ROW = 640, 180
BACKGROUND, GRID, INK, MUTED = "#ffffff", "#d0d4da", "#1f2328", "#9aa1a9"
TODAY = "#fff6d6"
COLOURS: dict[str, str] = {
    S.SCHEDULED: "#cfe3ff",
    S.PUBLISHING: "#ffe2b8",
    S.PUBLISHED: "#c9f0cf",
    S.MISSED: "#ffd0cc",
    S.FAILED: "#ffb3ad",
    S.UNKNOWN: "#e6d4ff",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class _Cell:
    x: int
    y: int
    w: int
    h: int


def render_calendar(page: CalendarPage, today: date, tz: ZoneInfo) -> bytes:
    from PIL import Image, ImageDraw

    weeks = max(1, len(page.days) // 7)
    height = HEADER + WEEKDAY_ROW + (WEEK_HEIGHT if weeks == 1 else MONTH_ROW * weeks)
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((PAD * 2, 16), page.title, fill=INK, font=_font(30))
    _draw_legend(draw)
    row_h = (height - HEADER - WEEKDAY_ROW) // weeks
    for column, name in enumerate(WEEKDAYS):
        draw.text((column * _col_w() + PAD, HEADER + 6), name, fill=MUTED, font=_font(18))
    for index, day in enumerate(page.days):
        cell = _Cell((index % 7) * _col_w(), HEADER + WEEKDAY_ROW + (index // 7) * row_h,
                     _col_w(), row_h)  # fmt: skip
        _draw_day(image, draw, cell, day, page, today, tz)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_legend(draw: ImageDraw.ImageDraw) -> None:
    x = WIDTH - PAD * 2
    for status in reversed(COLOURS):
        x -= int(_font(15).getlength(status)) + 30
        draw.rounded_rectangle((x, 24, x + 16, 40), radius=3, fill=COLOURS[status])
        draw.text((x + 22, 23), status, fill=MUTED, font=_font(15))


def _col_w() -> int:
    return WIDTH // 7


def _draw_day(
    image: Image.Image, draw: ImageDraw.ImageDraw, cell: _Cell, day: DayPlan,
    page: CalendarPage, today: date, tz: ZoneInfo,
) -> None:  # fmt: skip
    fill = TODAY if day.day == today else BACKGROUND
    draw.rectangle((cell.x, cell.y, cell.x + cell.w, cell.y + cell.h), fill=fill, outline=GRID)
    other_month = page.month is not None and day.day.month != page.month
    draw.text((cell.x + PAD, cell.y + 4), f"{day.day.day}", font=_font(20),
              fill=MUTED if other_month else INK)  # fmt: skip
    tall = page.month is None  # a week has room for big thumbnails and wrapped titles
    thumb = 96 if tall else 20
    block_h = thumb + 8
    top, bottom = cell.y + 32, cell.y + cell.h - PAD
    fits = max(0, (bottom - top) // (block_h + 4))
    shown = day.items if len(day.items) <= fits else day.items[: max(0, fits - 1)]
    for n, item in enumerate(shown):
        y = top + n * (block_h + 4)
        _draw_item(image, draw, _Cell(cell.x + 4, y, cell.w - 8, block_h), item, thumb, tz, tall)
    if len(shown) < len(day.items):
        y = top + len(shown) * (block_h + 4)
        draw.text((cell.x + PAD, y), f"+{len(day.items) - len(shown)} more", fill=INK,
                  font=_font(16))  # fmt: skip


def _draw_item(
    image: Image.Image, draw: ImageDraw.ImageDraw, box: _Cell, item: PlanItem, thumb: int,
    tz: ZoneInfo, tall: bool,
) -> None:  # fmt: skip
    colour = COLOURS.get(item.status, "#e4e7eb")
    draw.rounded_rectangle((box.x, box.y, box.x + box.w, box.y + box.h), radius=5, fill=colour)
    text_x = box.x + 6
    if _paste_thumbnail(image, item.image_path, (box.x + 4, box.y + 4), thumb):
        text_x += thumb + 4
    at = item.scheduled_at
    label = f"{at.astimezone(tz):%H:%M} #{item.post_id}" if at else f"#{item.post_id}"
    width = box.x + box.w - text_x - 4
    if tall:  # time on one line, the title wrapped under it
        draw.text((text_x, box.y + 4), label, fill=INK, font=_font(16))
        for i, line in enumerate(_wrap(item.title, _font(15), width, lines=4)):
            draw.text((text_x, box.y + 24 + i * 18), line, fill=INK, font=_font(15))
        return
    draw.text((text_x, box.y + 4), _clip(f"{label} {item.title}", _font(15), width), fill=INK,
              font=_font(15))  # fmt: skip


def _paste_thumbnail(image: Image.Image, path: Path | None, at: tuple[int, int], size: int) -> bool:
    if path is None:
        return False
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as source:
            picture = source.convert("RGB")
    except (OSError, UnidentifiedImageError):
        log.info("calendar: no usable image at %s", path)
        return False
    picture.thumbnail((size, size))
    image.paste(picture, at)
    return True


def _wrap(text: str, font: Font, width: int, *, lines: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], _clip(" ".join(out[lines - 1 :]), font, width)]
    return [_clip(line, font, width) for line in out]


def _clip(text: str, font: Font, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


@cache
def _font(size: int) -> Font:
    from PIL import ImageFont

    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)

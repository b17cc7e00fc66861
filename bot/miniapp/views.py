"""HTML fragments for htmx under /app/api/view/...: the same auth as the JSON routes, and
rendered on the server so the page itself holds no data until it is signed in."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup, escape

from bot.miniapp.context import MiniAppContext
from bot.miniapp.guard import protected
from bot.miniapp.init_data import WebAppUser
from bot.miniapp.render import render
from core.dashboard.brands import changed_by
from core.dashboard.calendar import CalendarGrid, CalendarItem, Day, parse_day
from core.dashboard.numbers import parse_period
from core.errors import ValidationFailed
from domain.calendar import CalendarStatus as C
from domain.crew import ItemKind

HOURS = tuple(range(24))
STATUS_NAMES: dict[str, str] = {
    C.DRAFT: "Draft", C.AWAITING_IMAGE: "Awaiting image", C.READY: "Ready",
    C.SCHEDULED: "Scheduled", C.PUBLISHED: "Published", C.FAILED: "Failed",
    C.MISSED: "Missed", C.UNKNOWN: "Unknown",
}  # fmt: skip
KIND_NAMES: dict[str, str] = {
    ItemKind.POST: "Post", ItemKind.SUGGESTION: "Suggestion", ItemKind.REPLY: "Reply draft",
    ItemKind.SEQUENCE_EMAIL: "Sequence email",
}  # fmt: skip


def mount_views(app: web.Application) -> None:
    add = app.router
    add.add_get("/app/api/view/calendar", protected(calendar, html=True))
    add.add_get("/app/api/view/queue", protected(queue, html=True))
    add.add_get("/app/api/view/numbers", protected(numbers, html=True))
    add.add_get("/app/api/view/brands", protected(brands, html=True))


def html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html")


async def calendar(ctx: MiniAppContext, request: web.Request, _: WebAppUser, __: None) -> object:
    grid = await calendar_grid(ctx, request.query.get("view"), request.query.get("date"))
    return html(render_calendar(ctx, grid))


async def calendar_grid(ctx: MiniAppContext, view: str | None, raw_day: str | None) -> CalendarGrid:
    today = ctx.clock.now().astimezone(ctx.calendar.tz).date()
    day = parse_day(raw_day, "date") if raw_day else today
    if view in (None, "", "month"):
        return await ctx.calendar.month(day, today)
    if view == "week":
        return await ctx.calendar.week(day, today)
    raise ValidationFailed(["view: must be month or week"])


def render_calendar(ctx: MiniAppContext, grid: CalendarGrid) -> str:
    """The fragment's render path on its own, for the benchmark."""
    tz = ctx.calendar.tz
    slots = [_by_hour(day, tz) for day in grid.days] if grid.view == "week" else []
    return render(
        f"calendar_{grid.view}.html.j2", grid=grid, tz=tz, hours=HOURS, names=STATUS_NAMES,
        items=lambda items: item_markup(items, tz), slots=slots,
    )  # fmt: skip


def item_markup(items: Iterable[CalendarItem], tz: ZoneInfo) -> Markup:
    """The items of a day or an hour: built here, not by a template macro, because a month
    of 500 posts must render in a few ms (bench/miniapp.py)."""
    return Markup("").join(_item(item, tz) for item in items)


def _item(item: CalendarItem, tz: ZoneInfo) -> Markup:
    local = item.scheduled_at.astimezone(tz)
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    drag = ' data-draggable="true"' if item.movable else ""
    # An f-string, not Markup.format (30 times slower): the title is escaped, every other
    # value is ours (a status enum, "post:12", digits).
    return Markup(  # noqa: S704
        f'<div class="item s-{item.status}" data-item="{item.key}" data-status="{item.status}"'
        f' data-time="{hhmm}"{drag} title="{hhmm} · {STATUS_NAMES[item.status]}">'
        f'<span class="tm">{hhmm}</span> {escape(item.title)}</div>'
    )


def _by_hour(day: Day, tz: ZoneInfo) -> dict[int, list[CalendarItem]]:
    hours: dict[int, list[CalendarItem]] = {}
    for item in day.items:
        hours.setdefault(item.scheduled_at.astimezone(tz).hour, []).append(item)
    return hours


async def queue(ctx: MiniAppContext, _: web.Request, __: WebAppUser, ___: None) -> object:
    items = await ctx.queue.items()
    return html(render("queue.html.j2", items=items, tz=ctx.calendar.tz, kinds=KIND_NAMES))


async def numbers(ctx: MiniAppContext, request: web.Request, _: WebAppUser, __: None) -> object:
    period = parse_period(request.query.get("period"))
    found = await ctx.numbers.numbers(period)
    return html(render("numbers.html.j2", n=found))


async def brands(ctx: MiniAppContext, _: web.Request, __: WebAppUser, ___: None) -> object:
    views = await ctx.brands.list()
    others = await ctx.brands.without_brand(views)
    page = render("brands.html.j2", brands=views, defaulted=others, changed_by=changed_by)
    return html(page)

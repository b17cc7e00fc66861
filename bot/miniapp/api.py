"""The Mini App's JSON routes (docs/DASHBOARD.md, docs/API.md)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.miniapp.context import MiniAppContext
from bot.miniapp.guard import Refused, protected
from bot.miniapp.init_data import WebAppUser
from core.dashboard.calendar import parse_day
from core.errors import NotFound, ValidationFailed
from core.review_queue import QueueAction, QueueItem
from domain.calendar import CalendarStatus
from domain.crew import ItemKind

# A moved post whose time is only a plan (core.dashboard.calendar): what it is, said after
# "moved to …", so nobody takes the move for scheduling.
ONLY_PLANNED = {
    CalendarStatus.DRAFT: "a draft",
    CalendarStatus.AWAITING_IMAGE: "waiting for its image",
    CalendarStatus.READY: "not approved yet",
}


def mount_api(app: web.Application) -> None:
    add = app.router
    add.add_get("/app/api/calendar", protected(calendar, html=False))
    add.add_get("/app/api/queue", protected(queue, html=False))
    add.add_post(
        "/app/api/posts/{id}/reschedule", protected(reschedule, html=False, json_body=True)
    )
    add.add_post("/app/api/review/{kind}/{id}", protected(review, html=False, json_body=True))
    add.add_get("/app/api/images/{id}", protected(image, html=False))
    add.add_post("/app/api/brands/{id}", protected(brand_settings, html=False, json_body=True))


async def calendar(ctx: MiniAppContext, request: web.Request, _: WebAppUser, __: None) -> Any:
    first = parse_day(request.query.get("from"), "from")
    last = parse_day(request.query.get("to"), "to")
    items = await ctx.calendar.items(first, last)
    return {"items": [item.as_json() for item in items]}


async def queue(ctx: MiniAppContext, _: web.Request, __: WebAppUser, ___: None) -> Any:
    return {"items": [queue_item_json(item) for item in await ctx.queue.items()]}


async def reschedule(
    ctx: MiniAppContext, request: web.Request, user: WebAppUser, body: dict[str, Any]
) -> Any:
    post_id = path_id(request, "Post")
    at = parse_moment(body.get("scheduled_at"))
    item = await ctx.calendar.reschedule(post_id, at, user.id)
    when = ctx.calendar.local(item.scheduled_at)
    message = f"Post #{post_id} moved to {when:%a %d %b, %H:%M}."
    if item.status in ONLY_PLANNED:  # its plan moved; nothing goes out by itself
        message += f" Not scheduled yet: it is {ONLY_PLANNED[item.status]}."
    return {"item": item.as_json(), "message": message}


async def review(
    ctx: MiniAppContext, request: web.Request, user: WebAppUser, body: dict[str, Any]
) -> Any:
    kind = parse_kind(request.match_info["kind"])
    item_id = path_id(request, "Item")
    action, text, (revision, status), confirmed = parse_decision(body)
    decision = await ctx.queue.decide(
        kind, item_id, action, user.id, text=text, revision=revision, status=status,
        confirmed=confirmed, user_name=user.name,
    )  # fmt: skip
    return {
        "kind": str(decision.kind), "id": decision.id, "status": decision.status,
        "message": decision.message,
    }  # fmt: skip


async def image(ctx: MiniAppContext, request: web.Request, _: WebAppUser, __: None) -> Any:
    image_id = path_id(request, "Image")
    found = await ctx.queue.image(image_id)
    if found is None:
        raise NotFound(f"Image #{image_id} does not exist.")
    data, content_type = found
    # Private: the bytes came with this person's sign-in header, never cache them shared.
    return web.Response(
        body=data, content_type=content_type, headers={"Cache-Control": "private, no-store"}
    )


async def brand_settings(
    ctx: MiniAppContext, request: web.Request, user: WebAppUser, body: dict[str, Any]
) -> Any:
    view = await ctx.brands.change(path_id(request, "Brand"), body, user_id=user.id)
    return {"brand": view.as_json(), "message": f"Saved the settings of {view.name}."}


def path_id(request: web.Request, what: str) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"{what} {raw!r} does not exist.")
    return int(raw)


def parse_kind(raw: str) -> ItemKind:
    try:
        return ItemKind(raw)
    except ValueError:
        raise Refused(404, f"There is no review queue for {raw!r}.") from None


def parse_moment(raw: object) -> datetime:
    """ISO 8601; without an offset it is a wall time in TIMEZONE (what the page shows)."""
    if not isinstance(raw, str):
        raise ValidationFailed(["scheduled_at: must be a date and time like 2026-12-10T09:30"])
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed([f"scheduled_at: {raw!r} is not a date and time"]) from None


Seen = tuple[int | None, str | None]  # the revision and status the person saw


def parse_decision(body: dict[str, Any]) -> tuple[QueueAction, str | None, Seen, bool]:
    problems: list[str] = []
    action = body.get("action")
    if action not in set(QueueAction):
        problems.append(f"action: must be one of {', '.join(QueueAction)}")
    text, revision, confirmed = body.get("text"), body.get("revision"), body.get("confirmed", False)
    status = body.get("status")
    if text is not None and not isinstance(text, str):
        problems.append("text: must be a string")
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        problems.append("revision: must be a whole number")
    if status is not None and not isinstance(status, str):
        problems.append("status: must be a string")
    if not isinstance(confirmed, bool):
        problems.append("confirmed: must be true or false")
    if problems:
        raise ValidationFailed(problems)
    return QueueAction(str(action)), text, (revision, status), confirmed


def queue_item_json(item: QueueItem) -> dict[str, Any]:
    return {
        "kind": str(item.kind), "id": item.id, "title": item.title, "text": item.text,
        "persona": item.persona, "status": item.status, "revision": item.revision,
        "scheduled_at": item.scheduled_at.isoformat() if item.scheduled_at else None,
        "scores": item.scores, "needs_confirmation": item.needs_confirmation,
        "images": [
            {"id": image.id, "post_id": image.post_id, "picked": image.picked,
             "url": f"/app/api/images/{image.id}"}
            for image in item.images
        ],
        "repeat": asdict(item.repeat) if item.repeat is not None else None,
    }  # fmt: skip

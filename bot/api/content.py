"""The content copilot design's routes (docs/API.md, "Content from a brief").

    POST /api/campaign/create   Campaign Request → Campaign Response
    GET  /api/campaign/{id}     the same response, as it is now
    GET  /api/campaigns/list    the newest first, `offset`/`limit` pages

The crew takes from seconds to minutes, so create waits a little (`?wait=`, 0-60 s,
default 20): finished in time, the answer is 201 with the content, or 500 with the
reason when the crew could not write it (the design's "Model Error → 500 + Retry"; an
Idempotency-Key is released on a 5xx, so the retry runs again). Still writing, it is 202
with `status: "processing"` and a Location to poll. Bad input is 400, as the design says,
with our usual body `{"error": "Validation failed", "details": [...]}`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api.context import ApiContext
from bot.api.guard import guarded
from bot.api.replies import Reply, error
from core.content.requests import parse_request
from core.content.service import ContentService
from core.content.views import ContentView
from core.errors import FeatureOff, NotFound, ValidationFailed
from domain.content import ContentStatus

CONTENT = web.AppKey("content", ContentService)
API_SOURCE = "api"
DEFAULT_WAIT_S, MAX_WAIT_S = 20, 60


def mount_content(app: web.Application, content: ContentService) -> None:
    app[CONTENT] = content
    app.router.add_post("/api/campaign/create", guarded(create, json_body=True, invalid_status=400))
    app.router.add_get("/api/campaign/{id}", guarded(get_one, json_body=False))
    app.router.add_get(
        "/api/campaigns/list", guarded(list_recent, json_body=False, invalid_status=400)
    )


async def create(_: ApiContext, request: web.Request, body: dict[str, Any]) -> Reply:
    wait_s = _number(request, "wait", DEFAULT_WAIT_S, MAX_WAIT_S)
    content = request.app[CONTENT]
    try:
        created = await content.create(parse_request(body), source=API_SOURCE)
    except FeatureOff as off:
        return error(503, str(off))
    view = await content.wait(created.id, timeout_s=wait_s)
    return _created(view)


async def get_one(_: ApiContext, request: web.Request, __: None) -> Reply:
    raw = request.match_info["id"]
    if len(raw) > 40:
        raise NotFound(f"Campaign {raw[:40]!r}… does not exist.")
    return Reply(200, (await request.app[CONTENT].get(raw)).as_json())


async def list_recent(_: ApiContext, request: web.Request, __: None) -> Reply:
    offset = _number(request, "offset", 0, 1_000_000)
    limit = _number(request, "limit", 20, 100)
    views = await request.app[CONTENT].recent(offset=offset, limit=limit)
    return Reply(200, {"campaigns": [view.as_json() for view in views],
                       "offset": offset, "limit": limit})  # fmt: skip


def _created(view: ContentView) -> Reply:
    where = {"Location": f"/api/campaign/{view.public_id}"}
    if not view.finished:
        return Reply(202, view.as_json(), where)
    if view.status == ContentStatus.FAILED:
        return Reply(500, {**view.as_json(), "error": f"The crew could not write it: {view.error}"})
    return Reply(201, view.as_json(), where)


def _number(request: web.Request, name: str, default: int, most: int) -> int:
    raw = request.query.get(name, str(default))
    if not raw.isdigit() or int(raw) > most:
        raise ValidationFailed([f"{name}: must be a whole number from 0 to {most}"])
    return int(raw)

"""POST /api/sequences, GET /api/sequences, GET /api/sequences/{id} (docs/API.md).

The body is the email campaign builder design's, as it is; the 201 is the stored
sequence with every planned send time, so a client sees what its schedule means. The
emails are written later, a few days before each is due, and every one waits for a
human's approval in Telegram: nothing is sent because a request came in.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.api.context import ApiContext
from bot.api.guard import guarded
from bot.api.replies import Reply
from core.errors import NotFound, ValidationFailed
from core.sequences.service import SequenceService

# Who created a sequence the API created, in email_sequences.created_by.
API_ACTOR = "api"
SEQUENCES = web.AppKey("sequences", SequenceService)


def mount_sequences(app: web.Application, sequences: SequenceService) -> None:
    app[SEQUENCES] = sequences
    app.router.add_post("/api/sequences", guarded(create_sequence, json_body=True))
    app.router.add_get("/api/sequences", guarded(list_sequences, json_body=False))
    app.router.add_get("/api/sequences/{id}", guarded(get_sequence, json_body=False))


async def create_sequence(_: ApiContext, request: web.Request, body: dict[str, Any]) -> Reply:
    created = await request.app[SEQUENCES].create(body, actor=API_ACTOR)
    return Reply(201, created.as_json())


async def list_sequences(_: ApiContext, request: web.Request, __: None) -> Reply:
    offset, limit = _page(request)
    views = await request.app[SEQUENCES].recent(offset=offset, limit=limit)
    return Reply(200, {"sequences": [view.as_json() for view in views]})


async def get_sequence(_: ApiContext, request: web.Request, __: None) -> Reply:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise NotFound(f"Sequence {raw!r} does not exist.")
    detail = await request.app[SEQUENCES].get(int(raw))
    return Reply(200, detail.as_json())


def _page(request: web.Request) -> tuple[int, int]:
    problems, values = [], []
    for name, default, most in (("offset", 0, 1_000_000), ("limit", 20, 100)):
        raw = request.query.get(name, str(default))
        if not raw.isdigit() or int(raw) > most:
            problems.append(f"{name}: must be a whole number from 0 to {most}")
            continue
        values.append(int(raw))
    if problems:
        raise ValidationFailed(problems)
    return values[0], values[1]

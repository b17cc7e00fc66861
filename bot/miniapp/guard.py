"""What every /app/api request goes through: `Authorization: tma <initData>` (401 missing,
forged or stale), an admin (403), a JSON body on POST (415 / 400), then the handler, with
core's errors turned into statuses. Auth is a header, never a cookie, so another site
can't make a browser send it (no CSRF); a JSON content type can't come from a plain form.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.miniapp import init_data
from bot.miniapp.context import MINIAPP, MiniAppContext
from bot.miniapp.render import render
from core.errors import (
    AlreadyDecided,
    Conflict,
    CopilotError,
    FeatureOff,
    InvalidTransition,
    LLMError,
    NotFound,
    ValidationFailed,
)
from core.posts.crew_gate import ComplianceUnconfirmed

log = logging.getLogger(__name__)

SCHEME = "tma"
NOT_ADMIN = "This dashboard is for the bot's admins (ADMIN_USER_IDS) only."
MAX_BODY_BYTES = 64 * 1024
Handler = Callable[[MiniAppContext, web.Request, init_data.WebAppUser, Any], Awaitable[Any]]

_CONFLICTS = (AlreadyDecided, InvalidTransition, Conflict, FeatureOff, ComplianceUnconfirmed)


class Refused(Exception):
    """A refusal with its status; `str` is safe to show."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


def protected(
    handler: Handler, *, html: bool, json_body: bool = False
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """`html`: refusals as a fragment the page shows in place (htmx swaps it); else JSON."""

    async def endpoint(request: web.Request) -> web.StreamResponse:
        ctx = request.app[MINIAPP]
        try:
            user = authenticate(ctx, request.headers.get("Authorization"))
            body = await read_json(request) if json_body else None
            result = await handler(ctx, request, user, body)
        except Refused as refusal:
            return _refusal(refusal, html=html)
        except CopilotError as exc:
            return _refusal(as_refusal(exc), html=html)
        except Exception:
            log.exception("Mini App request failed: %s %s", request.method, request.path)
            return _refusal(Refused(500, "Something went wrong; nothing was changed."), html=html)
        response = result if isinstance(result, web.Response) else web.json_response(result)
        if response.content_type.startswith("image/"):
            return response  # compressed already
        # A month of 500 posts is ~90 kB of HTML and ~8 kB gzipped; phones are on mobile data.
        response.enable_compression()
        return response

    return endpoint


def authenticate(ctx: MiniAppContext, header: str | None) -> init_data.WebAppUser:
    scheme, _, raw = (header or "").partition(" ")
    if scheme.lower() != SCHEME or not raw.strip():
        raise Refused(401, "Sign-in data is missing. Open the app from Telegram.")
    try:
        user = init_data.verify(raw.strip(), ctx.secret, now=ctx.clock.now())
    except init_data.InitDataRejected as exc:
        raise Refused(401, str(exc)) from None
    if user.id not in ctx.admins:
        raise Refused(403, NOT_ADMIN)
    return user


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise Refused(415, "Send the body as JSON (Content-Type: application/json).")
    data = await request.content.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        raise Refused(413, f"The body is over {MAX_BODY_BYTES // 1024} KiB.")
    try:
        body = json.loads(data)
    except ValueError:
        raise Refused(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Refused(400, "The body must be a JSON object.")
    return body


def as_refusal(exc: CopilotError) -> Refused:
    """core's errors carry messages for people; each kind has its status."""
    if isinstance(exc, ValidationFailed):
        return Refused(400, str(exc), details=exc.problems)
    if isinstance(exc, NotFound):
        return Refused(404, str(exc))
    if isinstance(exc, ComplianceUnconfirmed):
        return Refused(409, str(exc), needs_confirmation=True)
    if isinstance(exc, _CONFLICTS):
        return Refused(409, str(exc))
    if isinstance(exc, LLMError):
        return Refused(502, str(exc))
    return Refused(400, str(exc))


def _refusal(refusal: Refused, *, html: bool) -> web.Response:
    headers = {"WWW-Authenticate": SCHEME} if refusal.status == 401 else {}
    if html:
        page = render("refusal.html.j2", status=refusal.status, message=str(refusal))
        return web.Response(
            text=page, status=refusal.status, content_type="text/html", headers=headers
        )
    body = {"error": str(refusal), **refusal.extra}
    return web.json_response(body, status=refusal.status, headers=headers)

"""What every API request goes through before and after its handler.

bearer token (503 / 401) → rate limit (429) → Idempotency-Key (POST) → JSON body (422)
→ handler → domain errors as statuses (404, 409, 422). `invalid_status=400` answers bad
input with 400 instead, for the routes whose design says so (the content copilot's).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.api import idempotency
from bot.api.context import API, ApiContext
from bot.api.replies import Reply, error, from_domain_error
from core.errors import CopilotError, ValidationFailed

log = logging.getLogger(__name__)

Handler = Callable[[ApiContext, web.Request, Any], Awaitable[Reply]]


def guarded(
    handler: Handler, *, json_body: bool, invalid_status: int = 422
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def endpoint(request: web.Request) -> web.Response:
        route = _Route(handler, json_body, invalid_status)
        return (await _guard(request, route)).to_response()

    return endpoint


@dataclass(frozen=True)
class _Route:
    handler: Handler
    json_body: bool
    invalid_status: int


async def _guard(request: web.Request, route: _Route) -> Reply:
    ctx = request.app[API]
    refusal = ctx.auth.refusal(request.headers.get("Authorization"))
    if refusal is not None:
        return refusal
    decision = await ctx.limiter.hit(ctx.auth.subject())
    if not decision.allowed:
        return _too_many(decision.retry_after_s, ctx.limiter.limit)
    key = request.headers.get(idempotency.HEADER)
    if route.json_body and key is not None:
        return await _idempotent(ctx, request, route, key)
    return await _run(ctx, request, route)


async def _idempotent(ctx: ApiContext, request: web.Request, route: _Route, key: str) -> Reply:
    problem = idempotency.key_problem(key)
    if problem is not None:
        return problem
    print_ = idempotency.fingerprint(request.method, request.path, await request.read())
    return await ctx.idempotency.run(key, print_, lambda: _run(ctx, request, route))


async def _run(ctx: ApiContext, request: web.Request, route: _Route) -> Reply:
    try:
        body = await read_json(request) if route.json_body else None
        return await route.handler(ctx, request, body)
    except CopilotError as exc:
        return from_domain_error(exc, invalid_status=route.invalid_status)
    except Exception:
        log.exception("REST API request failed: %s %s", request.method, request.path)
        return error(500, "Internal error; nothing was changed.")


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ValidationFailed(["Content-Type: must be application/json"])
    try:
        body = json.loads(await request.read())
    except ValueError as exc:
        raise ValidationFailed([f"body: is not valid JSON ({exc})"]) from None
    if not isinstance(body, dict):
        raise ValidationFailed(["body: must be a JSON object"])
    return body


def _too_many(retry_after_s: int, limit: int) -> Reply:
    message = f"Too many requests: at most {limit} a minute. Retry in {retry_after_s} s."
    return error(429, message, **{"Retry-After": str(retry_after_s)})

"""POST /api/emails/inbound and POST /api/orders (docs/API.md, docs/EMAIL.md).

Both take more than JSON, so they read their own bodies: a raw mail as
`message/rfc822` (up to 10 MB, past the API's 1 MiB for JSON) and orders as `text/csv`.
A mail that can't be read is still stored, with the reason, and answered 202 like any
other: the mail provider has delivered it, and a person sees the reason in /email.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.api.context import ApiContext
from bot.api.guard import guarded
from bot.api.replies import Reply, error
from core.emaildesk.intake import EmailIntake
from core.emaildesk.parse import too_big
from core.emaildesk.types import ReceivedEmail
from core.errors import ValidationFailed
from core.orders.service import OrderService
from domain.emaildesk import MAX_EMAIL_BYTES, EmailSource

MAX_JSON_BYTES = 1024 * 1024
MAX_ORDERS_BYTES = 5 * 1024 * 1024
_RFC822 = ("message/rfc822",)
_CSV = ("text/csv", "application/csv", "text/plain")
_TOO_LARGE = object()


@dataclass(frozen=True)
class EmailDeskApi:
    intake: EmailIntake
    orders: OrderService


EMAIL_DESK = web.AppKey("email_desk", EmailDeskApi)


def mount_email_desk(app: web.Application, desk: EmailDeskApi) -> None:
    app[EMAIL_DESK] = desk
    app.router.add_post("/api/emails/inbound", guarded(receive_email, json_body=False))
    app.router.add_post("/api/orders", guarded(import_orders, json_body=False))


async def receive_email(_: ApiContext, request: web.Request, __: None) -> Reply:
    intake = request.app[EMAIL_DESK].intake
    if request.content_type in _RFC822:
        raw = await _read(request, MAX_EMAIL_BYTES)
        if raw is None:
            # Recorded like any mail that can't be read: the provider did deliver it.
            reason = too_big(request.content_length or MAX_EMAIL_BYTES + 1)
            size = request.content_length
            received = await intake.record_unreadable(EmailSource.API, None, reason, size=size)
        else:
            received = await intake.receive_raw(raw, source=EmailSource.API, source_ref=None)
        return _accepted(received)
    body = await _json(request, _RFC822[0])
    if body is _TOO_LARGE:
        return error(413, "Body over 1 MiB; send a large mail as message/rfc822.")
    received = await intake.receive_fields(body, source=EmailSource.API, source_ref=None)
    return _accepted(received)


async def import_orders(_: ApiContext, request: web.Request, __: None) -> Reply:
    orders = request.app[EMAIL_DESK].orders
    if request.content_type in _CSV:
        raw = await _read(request, MAX_ORDERS_BYTES)
        if raw is None:
            return error(413, f"Body over {MAX_ORDERS_BYTES // 1_048_576} MB; split the file.")
        result = await orders.import_text(_decoded(raw))
    else:
        body = await _json(request, "text/csv")
        if body is _TOO_LARGE:
            return error(413, "Body over 1 MiB; send the orders as text/csv, or split them.")
        result = await orders.import_json(body)
    return Reply(200, result.as_json())


def _accepted(received: ReceivedEmail) -> Reply:
    body: dict[str, Any] = {
        "id": received.id,
        "status": _status(received),
        "duplicate": not received.new,
        "order_number": received.order_number,
    }
    if reason := received.unreadable_reason or received.automatic_reason:
        body["reason"] = reason
    return Reply(202, body)


def _status(received: ReceivedEmail) -> str:
    """received (a draft follows) | unreadable | automatic (a bounce or an auto-reply:
    stored, never answered)."""
    if received.unreadable_reason:
        return "unreadable"
    return "automatic" if received.automatic_reason else "received"


async def _read(request: web.Request, limit: int) -> bytes | None:
    """The body, or None past `limit` (read no further than that)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: web.Request, other: str) -> Any:
    """The JSON value, or _TOO_LARGE past 1 MiB (the API's limit for JSON)."""
    if request.content_type != "application/json":
        raise ValidationFailed([f"Content-Type: must be application/json or {other}"])
    raw = await _read(request, MAX_JSON_BYTES)
    if raw is None:
        return _TOO_LARGE
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ValidationFailed([f"body: is not valid JSON ({exc})"]) from None


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save CSV as Windows-1252.
        return raw.decode("cp1252", "replace")

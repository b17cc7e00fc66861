"""POST /webhooks/pipeline: signed image pipeline callbacks (docs/API.md, "Pipeline callbacks").

401 bad or missing signature, 400 stale timestamp or bad JSON, 413 over 1 MiB, 503 when
PIPELINE_WEBHOOK_SECRET is not set (the feature is off, as the REST API answers without
API_TOKEN), 2xx otherwise: also for a duplicate and for an unknown prompt_id. The work a
callback triggers (fetching the images) runs in the background after the answer.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.services import Services
from core.pipeline import BadCallback, CallbacksOff, PipelineCallbacks
from core.standard_webhooks import SignatureInvalid, TimestampStale

log = logging.getLogger(__name__)

PATH = "/webhooks/pipeline"
MAX_BODY_BYTES = 1024 * 1024
CALLBACKS = web.AppKey("pipeline_callbacks", PipelineCallbacks)


def add_pipeline_webhook(app: web.Application, services: Services) -> None:
    secret = services.settings.app.pipeline_webhook_secret
    callbacks = services.pipeline.callbacks(secret.get_secret_value() if secret else None)
    if callbacks.off_reason is not None:
        log.info("pipeline callbacks refused: %s", callbacks.off_reason)
    app[CALLBACKS] = callbacks
    app.router.add_post(PATH, pipeline_webhook)


async def pipeline_webhook(request: web.Request) -> web.Response:
    body = await _read_limited(request)
    if body is None:
        return _error(413, f"The body is over {MAX_BODY_BYTES} bytes.")
    try:
        verdict = await request.app[CALLBACKS].receive(request.headers, body)
    except CallbacksOff as error:
        return _error(503, str(error))
    except SignatureInvalid as error:
        return _error(401, str(error))
    except (TimestampStale, BadCallback) as error:
        return _error(400, str(error))
    return web.json_response({"status": verdict})


async def _read_limited(request: web.Request) -> bytes | None:
    """The raw body (the signature covers these exact bytes), or None past the limit."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return None
    body = await request.content.read(MAX_BODY_BYTES + 1)
    # read(n) may stop early on a chunked body: keep reading up to the limit.
    while len(body) <= MAX_BODY_BYTES and not request.content.at_eof():
        more = await request.content.read(MAX_BODY_BYTES + 1 - len(body))
        if not more:
            break
        body += more
    return body if len(body) <= MAX_BODY_BYTES else None


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)

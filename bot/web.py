"""The aiohttp app: health, metrics and the Telegram webhook, on the bot's event loop."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from telegram import Update

from bot.api import add_api_routes
from bot.miniapp import add_miniapp_routes
from bot.pipeline_callbacks import add_pipeline_webhook
from bot.services import Services
from bot.unsubscribe_pages import add_unsubscribe_routes
from core.mailing.unsubscribe import Unsubscribes
from handlers.common.context import BotApplication
from storage.repos import inbox

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
APPLICATION = web.AppKey("application", BotApplication)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_UPDATE_BYTES = 1024 * 1024


def build_web_app(services: Services, application: BotApplication) -> web.Application:
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app[SERVICES] = services
    app[APPLICATION] = application
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    add_api_routes(app, services)
    add_pipeline_webhook(app, services)
    add_unsubscribe_routes(app, Unsubscribes(services.sessions, services.clock))
    add_miniapp_routes(app, services)
    if services.settings.mode.bot_mode == "webhook":
        app.router.add_post("/telegram/webhook", telegram_webhook)
    return app


async def health(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        async with asyncio.timeout(2), services.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    budget = await services.llm.budget_status()
    body = {
        "status": "ok",
        "database": "ok",
        "mode": services.settings.mode.bot_mode,
        "llm_budget_left_usd": str(budget.remaining_usd),
    }
    # A stuck publishing dispatcher is an outage too, even while the database answers.
    scheduler = await services.publishing.health()
    if not scheduler.ok:
        return web.json_response(
            {**body, "status": "error", "scheduler": scheduler.details}, status=503
        )
    return web.json_response({**body, "scheduler": scheduler.details})


async def metrics(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    budget = await services.llm.budget_status()
    services.metrics.budget_left.set(float(budget.remaining_usd))
    body = generate_latest(services.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def telegram_webhook(request: web.Request) -> web.Response:
    """Store the update (once per update_id) before answering 200; process it from there."""
    services, application = request.app[SERVICES], request.app[APPLICATION]
    secret = services.settings.telegram.webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if secret is None or not hmac.compare_digest(
        given.encode(), secret.get_secret_value().encode()
    ):
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        payload = json.loads(await request.read())
        update_id = int(payload["update_id"])
    except (ValueError, KeyError, TypeError):
        return web.json_response({"error": "not a Telegram update"}, status=400)
    async with services.sessions.begin() as session:
        is_new = await inbox.store_once(session, update_id, payload)
    if is_new:
        await application.update_queue.put(Update.de_json(payload, application.bot))
    return web.json_response({"ok": True})


async def replay_inbox(services: Services, application: BotApplication) -> int:
    """After a crash or restart, process what was stored but never finished."""
    async with services.sessions() as session:
        rows = await inbox.unprocessed(session)
    for row in rows:
        await application.update_queue.put(Update.de_json(row.payload, application.bot))
    if rows:
        log.info("replaying %d stored updates", len(rows))
    return len(rows)

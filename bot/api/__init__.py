"""The REST API: campaigns and personas for programs, behind a bearer token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.api import routes
from bot.api.brands import mount_brands
from bot.api.content import mount_content
from bot.api.context import API, ApiContext, api_context
from bot.api.emaildesk import EmailDeskApi, mount_email_desk
from bot.api.flows import mount_flows
from bot.api.guard import guarded
from bot.api.sequences import mount_sequences

if TYPE_CHECKING:
    from bot.services import Services


def add_api_routes(app: web.Application, services: Services) -> None:
    mount_api(app, api_context(services))
    mount_sequences(app, services.sequences)
    mount_brands(app, services.brands)
    mount_content(app, services.content)
    mount_flows(app, services.flows)
    mount_email_desk(app, EmailDeskApi(services.email_intake, services.orders))


def mount_api(app: web.Application, ctx: ApiContext) -> None:
    """Register the routes on `app`; tests and the benchmark pass their own context."""
    app[API] = ctx
    app.router.add_post("/api/campaigns", guarded(routes.create_campaign, json_body=True))
    app.router.add_post("/api/personas", guarded(routes.create_persona, json_body=True))
    app.router.add_get("/api/personas/{id}", guarded(routes.get_persona, json_body=False))


__all__ = ["ApiContext", "add_api_routes", "mount_api"]

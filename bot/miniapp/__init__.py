"""The Telegram Mini App dashboard: calendar, review queue, numbers, brand settings.

`GET /app/` is a shell without data; everything under /app/api/ (JSON, and HTML fragments
for htmx under /app/api/view/) needs `Authorization: tma <initData>` from an admin.
docs/DASHBOARD.md tells people how to open it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.miniapp import init_data
from bot.miniapp.api import mount_api
from bot.miniapp.context import MINIAPP, MiniAppContext
from bot.miniapp.pages import mount_pages
from bot.miniapp.security import security_headers
from bot.miniapp.views import mount_views
from core.dashboard import BrandSettings, DashboardCalendar, DashboardNumbers

if TYPE_CHECKING:
    from bot.services import Services


def add_miniapp_routes(app: web.Application, services: Services) -> None:
    mount_miniapp(app, miniapp_context(services))


def miniapp_context(services: Services) -> MiniAppContext:
    settings = services.settings
    scheduling = services.publishing.scheduling
    return MiniAppContext(
        secret=init_data.secret_key(settings.telegram.bot_token.get_secret_value()),
        admins=settings.access.admin_user_ids,
        clock=services.clock,
        calendar=DashboardCalendar(services.sessions, settings.app.tz, scheduling, services.posts),
        numbers=DashboardNumbers(services.usage, services.reports),
        brands=BrandSettings(services.brands, services.personas),
        queue=services.review_queue,
    )


def mount_miniapp(app: web.Application, ctx: MiniAppContext) -> None:
    """Register the Mini App on `app`; tests and the benchmark pass their own context."""
    app[MINIAPP] = ctx
    app.middlewares.append(security_headers)
    mount_pages(app)
    mount_api(app)
    mount_views(app)


__all__ = ["MiniAppContext", "add_miniapp_routes", "mount_miniapp"]

"""/dashboard: opens the Mini App (bot/miniapp) at PUBLIC_BASE_URL/app/."""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.common.context import BotApplication
from handlers.dashboard import command


def register(app: BotApplication) -> None:
    app.add_handlers([CommandHandler("dashboard", command.dashboard_command)])

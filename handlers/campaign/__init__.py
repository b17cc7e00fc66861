"""/campaign: seven short steps, a plan preview to adjust, then the campaign created."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.campaign import command, keyboards, steps
from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("campaign", command.campaign),
            CallbackQueryHandler(command.on_button, pattern=pattern(keyboards.KIND)),
        ]
    )
    text_router.wait_for_prefix(app, steps.PREFIX, command.on_text)

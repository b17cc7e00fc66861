"""/report: a period's facts from the database, then the model's insights and three
recommendations citing them."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.report import command, keyboards


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("report", command.report_command),
            CallbackQueryHandler(command.on_button, pattern=pattern(keyboards.KIND)),
        ]
    )
    text_router.wait_for(app, command.ASKING, command.on_text)

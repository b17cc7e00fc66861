"""/prompts: every prompt template's versions and variants, how often people kept what
each wrote, at what cost, and ⭐ Promote for the arm that earns its place."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.prompts import command, keyboards


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("prompts", command.prompts_command),
            CallbackQueryHandler(command.on_button, pattern=pattern(keyboards.KIND)),
        ]
    )

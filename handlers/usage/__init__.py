"""/usage: what the model cost (today, 7 and 30 days, by feature and model), the budget
left, how many drafts people kept, and a chart of the daily cost."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.usage import command, keyboards


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("usage", command.usage_command),
            CallbackQueryHandler(command.on_button, pattern=pattern(keyboards.KIND)),
        ]
    )

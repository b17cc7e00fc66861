"""/suggest: one suggestion from the model, and 🔁 Retry when it failed."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common.context import BotApplication
from handlers.common.keyboards import RETRY, pattern
from handlers.suggest import command


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("suggest", command.suggest),
            CallbackQueryHandler(command.retry_suggest, pattern=pattern(RETRY, command.RETRY_WHAT)),
        ]
    )

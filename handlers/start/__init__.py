"""/start, /help and /cancel: the welcome, the command list, and stopping a conversation."""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.common.context import BotApplication
from handlers.start import command


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("start", command.start),
            CommandHandler("help", command.help_command),
            CommandHandler("cancel", command.cancel),
        ]
    )

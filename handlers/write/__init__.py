"""/write: the review crew writes from a brief, with live progress, scores and feedback;
the result becomes a post draft, an email draft, or a .txt / .json download."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.write import command
from handlers.write.keyboards import KIND
from handlers.write.steps import PREFIX


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("write", command.write),
            CallbackQueryHandler(command.on_button, pattern=pattern(KIND)),
        ]
    )
    text_router.wait_for_prefix(app, PREFIX, command.on_text)

"""/persona: list, create, edit or import (as a YAML/JSON file) brand personas."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import document_router, text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.persona import command, upload, views


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("persona", command.persona),
            CallbackQueryHandler(command.on_button, pattern=pattern(views.KIND)),
        ]
    )
    text_router.wait_for_prefix(app, command.PREFIX, command.on_text)
    # A persona file is taken any time (the files no other feature claims).
    document_router.otherwise(app, upload.on_document)

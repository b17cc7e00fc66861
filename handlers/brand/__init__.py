"""/brand: list, show, create, edit or upload (YAML/JSON) brand guidelines per persona."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.brand import command, upload, views
from handlers.common import document_router, text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("brand", command.brand),
            CallbackQueryHandler(command.on_button, pattern=pattern(views.KIND)),
        ]
    )
    text_router.wait_for_prefix(app, command.PREFIX, command.on_text)
    # Only while /brand waits for a file: other YAML/JSON files stay persona imports.
    document_router.wait_for_document(app, command.PREFIX, upload.on_document)

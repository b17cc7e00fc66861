"""/email: customer emails pasted, forwarded or sent as .eml files; a reply draft follows."""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.common import document_router, text_router
from handlers.common.context import BotApplication
from handlers.email import command


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("email", command.email))
    text_router.wait_for_prefix(app, command.PREFIX, command.on_text)
    document_router.wait_for_document(app, command.PREFIX, command.on_document_in_state)
    # An .eml file is an email whenever it comes, /email or not.
    document_router.by_suffix(app, command.SUFFIXES, command.on_document)

"""/orders: the shop's orders imported from CSV or JSON, so reply drafts know them."""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.common import document_router, text_router
from handlers.common.context import BotApplication
from handlers.orders import command


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("orders", command.orders))
    text_router.wait_for_prefix(app, command.PREFIX, command.on_text)
    document_router.wait_for_document(app, command.PREFIX, command.on_document_in_state)
    # A .csv sent outside any conversation is an orders file (/sequence takes its
    # recipients' CSV within its own conversation).
    document_router.by_suffix(app, command.SUFFIXES, command.on_document)

"""/orders: import the shop's orders (a CSV or JSON file, or pasted rows); see the latest.

/orders alone shows the latest orders and how to import, and waits for the file or the
paste (state "orders:paste"); `/orders <rows>` imports at once. A file with any problem
imports nothing and keeps waiting, so the corrected file can follow.
"""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from core.errors import ValidationFailed
from handlers.common.context import BotContext
from handlers.common.dialog import Who, clear, save, send, text_of, zone
from handlers.common.files import FileRefused, FileRule, download
from handlers.orders import views

PREFIX = "orders:"
PASTE = "orders:paste"
SUFFIXES = (".csv",)
ACCEPTED = (".csv", ".json", ".txt", ".tsv")
MAX_BYTES = 5 * 1024 * 1024
ORDERS_FILES = FileRule(ACCEPTED, MAX_BYTES, views.NOT_ORDERS, views.TOO_BIG)


async def orders(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    pasted = text_of(update).split(None, 1)[1:]
    if pasted:
        await _import(context, who, pasted[0])
        return
    await save(context, who, PASTE, {})
    latest, total = await context.services.orders.recent(limit=10)
    await send(context, who, views.overview(latest, total, zone(context)))


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    await _import(context, Who.of(update), text_of(update))


async def on_document(update: Update, context: BotContext) -> None:
    """A .csv file any time, or any orders file while /orders waits for one."""
    message = update.effective_message
    assert message is not None and message.document is not None
    who = Who.of(update)
    try:
        data = await download(context, message.document, ORDERS_FILES)
    except FileRefused as refused:
        await send(context, who, str(refused))
        return
    await _import(context, who, _decoded(data))


async def on_document_in_state(update: Update, context: BotContext, state: Conversation) -> None:
    await on_document(update, context)


async def _import(context: BotContext, who: Who, text: str) -> None:
    if not text.strip():
        await send(context, who, views.EMPTY)
        return
    try:
        result = await context.services.orders.import_text(text)
    except ValidationFailed as error:
        await save(context, who, PASTE, {})  # the corrected file can come next
        await send(context, who, views.refused(error.problems))
        return
    await clear(context, who)
    await send(context, who, views.imported(result))


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save CSV as Windows-1252.
        return data.decode("cp1252", "replace")

"""/orders: import the shop's orders (a CSV or JSON file, or pasted rows); see the latest.

/orders alone shows the latest orders and how to import, and waits for the file or the
paste (state "orders:paste"); `/orders <rows>` imports at once. A file with any problem
imports nothing and keeps waiting, so the corrected file can follow.
"""

from __future__ import annotations

from html import escape
from pathlib import PurePath

from telegram import Document, Update

from core.conversations import Conversation
from core.errors import ValidationFailed
from handlers.common.context import BotContext
from handlers.common.dialog import Who, clear, save, send, text_of, zone
from handlers.orders import views

PREFIX = "orders:"
PASTE = "orders:paste"
SUFFIXES = (".csv",)
ACCEPTED = (".csv", ".json", ".txt", ".tsv")
MAX_BYTES = 5 * 1024 * 1024


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
    problem = _file_problem(message.document)
    if problem is not None:
        await send(context, who, problem)
        return
    telegram_file = await context.bot.get_file(message.document.file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > MAX_BYTES:
        await send(context, who, _too_big(message.document, len(data)))
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


def _file_problem(document: Document) -> str | None:
    name = document.file_name or "This file"
    if PurePath(name).suffix.lower() not in ACCEPTED:
        return views.NOT_ORDERS.format(name=escape(name))
    if document.file_size is not None and document.file_size > MAX_BYTES:
        return _too_big(document, document.file_size)
    return None


def _too_big(document: Document, size: int) -> str:
    name = escape(document.file_name or "The file")
    return views.TOO_BIG.format(name=name, size=size // 1024, limit=MAX_BYTES // 1_048_576)


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save CSV as Windows-1252.
        return data.decode("cp1252", "replace")

"""👀 See earlier: the earlier item a card's near-repeat warning names, as a message."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.constants import ParseMode

from core.memory.types import Remembered
from domain.memory import MemoryKind
from handlers.common.context import BotContext
from handlers.common.dialog import key_of
from handlers.common.refusals import STALE, refuse
from handlers.common.repeats import KIND

MAX_MESSAGE = 4096
GONE = "That earlier item is no longer in memory."


async def on_button(update: Update, context: BotContext) -> None:
    query, key = key_of(update)
    kind = _kind(key.action) if key is not None and key.kind == KIND else None
    if key is None or kind is None or query.message is None:
        await refuse(query, context, "invalid", STALE)
        return
    item = await context.services.repeats.earlier(kind, key.item_id)
    if item is None:
        await query.answer(GONE, show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id
    await context.bot.send_message(chat_id, earlier_html(item), parse_mode=ParseMode.HTML)


def earlier_html(item: Remembered) -> str:
    """'<b>The post of 3 Oct</b> (approved)' and its words, escaped, within one message."""
    label = item.label[:1].upper() + item.label[1:]
    head = f"<b>{escape(label)}</b> ({escape(item.outcome)})\n\n"
    room = MAX_MESSAGE - len(head)
    text = escape(item.text)
    if len(text) > room:
        text = escape(item.text[: _fitting(item.text, room - 1)]) + "…"
    return head + text


def _fitting(text: str, room: int) -> int:
    """The longest start of `text` whose escaped form fits `room` (cut on the plain text,
    so no HTML entity is cut in half)."""
    low, high = 0, min(len(text), room)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape(text[:middle])) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _kind(value: str) -> MemoryKind | None:
    try:
        return MemoryKind(value)
    except ValueError:
        return None

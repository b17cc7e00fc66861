"""Who is talking and where they are: shared by the persona, campaign and post-review flows.

Each flow keeps its step in the database (core.conversations), under a state name that
starts with the flow's prefix ("persona:", "campaign:", "post:"), so a restart resumes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from core.conversations import Conversation
from handlers.common.context import BotContext
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import STALE, refuse
from handlers.common.telegram_io import edit_html, is_not_modified


@dataclass(frozen=True)
class Who:
    chat_id: int
    user_id: int

    @classmethod
    def of(cls, update: Update) -> Who:
        assert update.effective_chat is not None and update.effective_user is not None
        return cls(update.effective_chat.id, update.effective_user.id)


async def load(context: BotContext, who: Who) -> Conversation | None:
    return await context.services.conversations.get(who.chat_id, who.user_id)


async def save(context: BotContext, who: Who, state: str, data: dict[str, Any]) -> None:
    await context.services.conversations.set(who.chat_id, who.user_id, Conversation(state, data))


async def clear(context: BotContext, who: Who) -> bool:
    return await context.services.conversations.clear(who.chat_id, who.user_id)


async def send(
    context: BotContext, who: Who, html: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    return await context.bot.send_message(
        who.chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def edit(
    context: BotContext,
    who: Who,
    message_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    await edit_html(context.bot, who.chat_id, message_id, html, markup)


async def drop_keyboard(context: BotContext, who: Who, message_id: int | None) -> None:
    """Take the buttons off a message whose choices are over."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(who.chat_id, message_id, reply_markup=None)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


def zone(context: BotContext) -> ZoneInfo:
    return context.services.settings.app.tz


def local_today(context: BotContext) -> date:
    """Today in TIMEZONE: people's dates are read there."""
    return context.services.clock.now().astimezone(zone(context)).date()


def text_of(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message is not None else ""


def key_of(update: Update) -> tuple[CallbackQuery, CallbackKey | None]:
    query = update.callback_query
    assert query is not None
    return query, CallbackKey.decode(query.data or "")


Button = Callable[[CallbackQuery, BotContext, "Who", CallbackKey], Awaitable[None]]
H = TypeVar("H")


async def routed(
    update: Update, context: BotContext, kind: str, table: Mapping[str, H]
) -> tuple[CallbackQuery, CallbackKey, H] | None:
    """The tap's key and the handler `table` has for its action; a payload no button of
    `kind` carries is refused (logged and counted) and gives None."""
    query, key = key_of(update)
    handler = table.get(key.action) if key is not None and key.kind == kind else None
    if key is None or handler is None:
        await refuse(query, context, "invalid", STALE)
        return None
    return query, key, handler


async def dispatch(
    update: Update, context: BotContext, kind: str, buttons: Mapping[str, Button]
) -> None:
    """Route a tap to its flow's button handler; anything unknown is answered as stale."""
    found = await routed(update, context, kind, buttons)
    if found is not None:
        query, key, handler = found
        await handler(query, context, Who.of(update), key)


def message_id_of(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None


async def edit_tapped(
    context: BotContext,
    who: Who,
    query: CallbackQuery,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit the message whose button was tapped, e.g. a question into its answer; nothing
    when Telegram no longer says which message that was (too old)."""
    message_id = message_id_of(query)
    if message_id is not None:
        await edit(context, who, message_id, html, markup)


def bullet_list(lines: list[str]) -> str:
    """Problems and notes as HTML bullets; they may quote what the user typed, so escaped."""
    return "\n".join(f"• {escape(line)}" for line in lines)

"""Setting a time by reply: "🕒 Other time" / "Reschedule", then the person types one.

The step is stored with core.conversations, so it survives a restart; a time that can't
be read (or has passed, or falls in a DST gap) is explained and the step stays open.
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from core.conversations import Conversation
from core.errors import CopilotError, InvalidTransition, ValidationFailed
from domain.statuses import SCHEDULABLE
from domain.timegrammar import read_moment
from handlers.common.context import BotContext
from handlers.common.keyboards import CallbackKey
from handlers.common.telegram_io import edit_html
from handlers.schedule import keyboards as kb
from handlers.schedule import views

ASKING_TIME = "publishing:time"


async def ask_time(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    scheduling = context.services.publishing.scheduling
    item = await scheduling.get(key.item_id)
    if item.status not in SCHEDULABLE:
        raise InvalidTransition(f"Post #{item.post_id} is {item.status}; it can't get a new time.")
    message = query.message
    if message is None:
        raise InvalidTransition("This card is too old; use /schedule.")
    data = {"post_id": item.post_id, "message_id": message.message_id}
    await context.services.conversations.set(message.chat.id, user, Conversation(ASKING_TIME, data))
    await query.answer()
    await context.bot.send_message(
        message.chat.id, views.ask_time_text(item, context.services.settings.app.tz),
        parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(input_field_placeholder="e.g. tomorrow 9:30"),
    )  # fmt: skip


async def on_time_text(update: Update, context: BotContext, state: Conversation) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    services = context.services
    tz = services.settings.app.tz
    post_id = int(state.data["post_id"])
    try:
        # A worker thread: the first read loads the date library (~0.4 s).
        at = await asyncio.to_thread(
            read_moment, message.text or "", now=services.clock.now(), tz=tz
        )
        item = await services.publishing.scheduling.schedule(post_id, at, user.id)
    except ValidationFailed as error:
        await message.reply_text(f"{error} Or /cancel.")
        return  # the step stays open: the person just sends another time
    except CopilotError as error:
        await services.conversations.clear(chat.id, user.id)
        await message.reply_text(f"{error} Nothing was changed.")
        return
    await services.conversations.clear(chat.id, user.id)
    card = views.card(item, tz, services.publishing.default_target)
    markup = kb.card_keyboard(item, tz, planned_ok=False)
    await _redraw_card(context, chat.id, int(state.data.get("message_id", 0)), card, markup)
    await message.reply_text(views.scheduled_text(item, tz), parse_mode=ParseMode.HTML)


async def _redraw_card(
    context: BotContext,
    chat_id: int,
    message_id: int,
    card: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """Best effort: the card the person tapped shows the new time too."""
    if message_id <= 0:
        return
    try:
        await edit_html(context.bot, chat_id, message_id, card, markup)
    except BadRequest:  # an old card may be gone or not editable; the reply says it all
        return

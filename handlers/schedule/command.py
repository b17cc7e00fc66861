"""/schedule, the buttons on publishing cards and alerts, and the hook after approval.

Thin: each button parses its key, calls core.publishing's SchedulingService, answers the
query and renders. Errors from core are shown as they are (they are written for people);
the card is then redrawn so it shows what is true now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound
from core.publishing.agenda import PlanItem
from core.publishing.service import SchedulingService
from domain.statuses import SCHEDULABLE
from domain.statuses import PostStatus as S
from handlers.common.context import BotContext
from handlers.common.dialog import routed
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse_error
from handlers.common.telegram_io import edit_html
from handlers.schedule import calendar_picture as schedule_calendar
from handlers.schedule import keyboards as kb
from handlers.schedule import time_reply as schedule_time
from handlers.schedule import views

Action = Callable[[CallbackQuery, BotContext, CallbackKey, int], Awaitable[None]]


async def schedule_command(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    await send_overview(context, update.effective_chat.id)


async def send_overview(context: BotContext, chat_id: int) -> None:
    publishing = context.services.publishing
    agenda = await publishing.scheduling.agenda()
    tz = context.services.settings.app.tz
    markup = kb.overview_keyboard(agenda.items, tz) if not agenda.empty else None
    await context.bot.send_message(
        chat_id, views.overview(agenda, tz), parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def offer_time(context: BotContext, chat_id: int, post_id: int) -> None:
    """Call after approving a post: asks for its time, or to keep the planned one.

    Does nothing unless the post is ready and approved (a post still waiting for its
    image is offered a time from /schedule once it is ready).
    """
    item = await context.services.publishing.scheduling.get(post_id)
    if item.status != S.READY or not item.approved:
        return
    text = views.card(item, context.services.settings.app.tz, _default(context))
    sent = await context.bot.send_message(
        chat_id, text + "\n\nWhen should it go out?", parse_mode=ParseMode.HTML,
        reply_markup=await _card_markup(context, item),
    )  # fmt: skip
    await _scheduling(context).cards.record(chat_id, sent.message_id, post_id)


async def on_button(update: Update, context: BotContext) -> None:
    user = update.effective_user
    assert user is not None
    found = await routed(update, context, kb.KIND, ACTIONS)
    if found is None:
        return
    query, key, action = found
    try:
        await action(query, context, key, user.id)
    except CopilotError as error:
        await refuse_error(query, context, error)
        await _redraw(query, context, key.item_id)


async def _open(query: CallbackQuery, context: BotContext, key: CallbackKey, _: int) -> None:
    item = await _scheduling(context).get(key.item_id)
    await query.answer()
    if query.message is not None:
        chat_id = query.message.chat.id
        sent = await context.bot.send_message(
            chat_id, _card(context, item), parse_mode=ParseMode.HTML,
            reply_markup=await _card_markup(context, item),
        )  # fmt: skip
        await _scheduling(context).cards.record(chat_id, sent.message_id, item.post_id)


async def _planned(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    item = await _scheduling(context).get(key.item_id)
    if item.scheduled_at is None or kb.minute_of(item.scheduled_at) != key.revision:
        raise AlreadyDecided(f"The planned time of post #{item.post_id} changed; see the card.")
    item = await _scheduling(context).confirm_planned(item.post_id, item.scheduled_at, user)
    await query.answer("Scheduled ✅")
    await _show(query, context, item)


async def _unschedule(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int
) -> None:
    item = await _scheduling(context).unschedule(key.item_id, user)
    await query.answer("Unscheduled: it stays approved, without a time.")
    await _show(query, context, item)


async def _ask_confirm(query: CallbackQuery, context: BotContext, key: CallbackKey, _: int) -> None:
    again = key.action == kb.SEND_AGAIN
    item = await _scheduling(context).get(key.item_id)
    allowed = (S.UNKNOWN,) if again else SCHEDULABLE
    if item.status not in allowed:
        raise InvalidTransition(f"Post #{item.post_id} is {item.status} now; nothing to send.")
    await query.answer()
    text = views.confirm_text(item, _default(context), again=again)
    await _edit(query, context, text, kb.confirm_keyboard(item.post_id, again=again))


async def _confirmed(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int
) -> None:
    again = bool(key.revision)
    item = await _scheduling(context).publish_now(key.item_id, user, again=again)
    await query.answer("On its way 🚀")
    await _show(query, context, item)
    # The sweep, woken at once, may have published it and redrawn this card before the
    # edit above landed: then this card must not be left saying "scheduled".
    now = await _scheduling(context).get(item.post_id)
    if now.status == S.PUBLISHED:
        await _edit(query, context, _card(context, now), await _card_markup(context, now))


async def _retry(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    item = await _scheduling(context).publish_now(key.item_id, user)
    await query.answer("Trying again now 🔁")
    await _show(query, context, item)


async def _retry_mirror(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int
) -> None:
    await _scheduling(context).retry_mirror(key.item_id, user)
    await query.answer("Sending it to the webhook again 🔁")


async def _was_published(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int
) -> None:
    item = await _scheduling(context).confirm_published(key.item_id, user)
    await query.answer("Marked as published ✅")
    await _show(query, context, item)


async def _cancel(query: CallbackQuery, context: BotContext, key: CallbackKey, _: int) -> None:
    item = await _scheduling(context).get(key.item_id)
    await query.answer("Cancelled. Nothing was sent.")
    await _show(query, context, item)


async def _list(query: CallbackQuery, context: BotContext, _key: CallbackKey, _: int) -> None:
    await query.answer()
    if query.message is not None:
        await send_overview(context, query.message.chat.id)


async def _redraw(query: CallbackQuery, context: BotContext, post_id: int) -> None:
    if post_id <= 0:
        return
    try:
        item = await _scheduling(context).get(post_id)
    except NotFound:
        return
    await _show(query, context, item)


async def _show(query: CallbackQuery, context: BotContext, item: PlanItem) -> None:
    if query.message is None or not getattr(query.message, "text", None):
        return  # a photo (the calendar) or an inaccessible message: nothing to redraw
    await _edit(query, context, _card(context, item), await _card_markup(context, item))
    # Now a card of the post (an alert becomes one): redrawn when the post goes out.
    message = query.message
    await _scheduling(context).cards.record(message.chat.id, message.message_id, item.post_id)


async def _edit(
    query: CallbackQuery, context: BotContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    if query.message is not None:
        await edit_html(context.bot, query.message.chat.id, query.message.message_id, text, markup)


def _card(context: BotContext, item: PlanItem) -> str:
    return views.card(item, context.services.settings.app.tz, _default(context))


async def _card_markup(context: BotContext, item: PlanItem) -> InlineKeyboardMarkup | None:
    if item.status == S.PUBLISHED:  # nothing left to do; a public channel's post has a link
        message_id = await _scheduling(context).cards.channel_message_id(item.post_id)
        return kb.published_keyboard(item, _default(context), message_id)
    now = context.services.clock.now()
    planned_ok = item.scheduled_at is not None and item.scheduled_at > now
    return kb.card_keyboard(item, context.services.settings.app.tz, planned_ok=planned_ok)


def _default(context: BotContext) -> str | None:
    return context.services.publishing.default_target


def _scheduling(context: BotContext) -> SchedulingService:
    return context.services.publishing.scheduling


ACTIONS: dict[str, Action] = {
    kb.OPEN: _open,
    kb.PLANNED: _planned,
    kb.ASK_TIME: schedule_time.ask_time,
    kb.UNSCHEDULE: _unschedule,
    kb.PUBLISH_NOW: _ask_confirm,
    kb.SEND_AGAIN: _ask_confirm,
    kb.CONFIRM_NOW: _confirmed,
    kb.CANCEL_NOW: _cancel,
    kb.WAS_PUBLISHED: _was_published,
    kb.RETRY: _retry,
    kb.RETRY_MIRROR: _retry_mirror,
    kb.WEEK: schedule_calendar.send_week,
    kb.MONTH: schedule_calendar.send_month,
    kb.LIST: _list,
}

"""The calendar picture: a PNG of a week or a month of posts, sent with sendPhoto.

Drawing takes a moment of CPU, so it runs in a worker thread from a background task:
the chat's other updates never wait for it.
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, InputFile
from telegram.constants import ParseMode

from handlers.common.context import BotContext
from handlers.common.keyboards import CallbackKey
from handlers.schedule import keyboards as kb
from handlers.schedule.calendar_image import render_calendar


async def send_week(query: CallbackQuery, context: BotContext, key: CallbackKey, _: int) -> None:
    await _start(query, context, month=False, offset=key.revision)


async def send_month(query: CallbackQuery, context: BotContext, key: CallbackKey, _: int) -> None:
    await _start(query, context, month=True, offset=key.revision)


async def _start(query: CallbackQuery, context: BotContext, *, month: bool, offset: int) -> None:
    await query.answer("Drawing the calendar…")
    if query.message is not None:
        start(context, query.message.chat.id, month=month, offset=offset)


def start(context: BotContext, chat_id: int, *, month: bool, offset: int = 0) -> None:
    context.application.create_task(
        send_calendar(context, chat_id, month=month, offset=offset), name="calendar-picture"
    )


async def send_calendar(context: BotContext, chat_id: int, *, month: bool, offset: int) -> None:
    services = context.services
    tz = services.settings.app.tz
    page = await services.publishing.scheduling.calendar(month=month, offset=offset)
    today = services.clock.now().astimezone(tz).date()
    png = await asyncio.to_thread(render_calendar, page, today, tz)
    count = sum(len(day.items) for day in page.days)
    caption = f"<b>{page.title}</b> ({tz.key}): {count} post{'s' if count != 1 else ''}"
    await context.bot.send_photo(
        chat_id, InputFile(png, filename="calendar.png"), caption=caption,
        parse_mode=ParseMode.HTML, reply_markup=kb.calendar_keyboard(month, offset),
    )  # fmt: skip

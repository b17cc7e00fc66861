"""/usage and its buttons. Thin: core.usage computes, views lay out, this sends.

The chart is drawn in a background task (matplotlib in a worker thread, core/usage/chart.py),
so the chat's other updates don't wait for it.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode

from core.usage.chart import render_png
from core.usage.windows import BY_DAYS, WEEK, Window
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, routed, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.usage import keyboards as kb
from handlers.usage import views

NOTHING_TO_DRAW = "No model calls in the last 30 days, so there is nothing to draw yet."


async def usage_command(update: Update, context: BotContext) -> None:
    await send(context, Who.of(update), *await _rendered(context, WEEK))


async def on_button(update: Update, context: BotContext) -> None:
    found = await routed(update, context, kb.KIND, {kb.WINDOW: _window, kb.CHART: _chart})
    if found is not None:
        query, key, action = found
        await action(query, context, key)


async def _window(query: CallbackQuery, context: BotContext, key: CallbackKey) -> None:
    window = BY_DAYS.get(key.item_id)
    if window is None or query.message is None:
        await refuse(query, context, "invalid")
        return
    await query.answer()
    who = Who(query.message.chat.id, query.from_user.id)
    await edit(context, who, query.message.message_id, *await _rendered(context, window))


async def _chart(query: CallbackQuery, context: BotContext, key: CallbackKey) -> None:
    await query.answer("Drawing the chart…")
    if query.message is not None:
        chat_id = query.message.chat.id
        context.application.create_task(_send_chart(context, chat_id), name="usage-chart")


async def _send_chart(context: BotContext, chat_id: int) -> None:
    data = await context.services.usage.daily_costs()
    if not any(any(values) for values in data.by_feature.values()):
        await context.bot.send_message(chat_id, NOTHING_TO_DRAW)
        return
    png = await render_png(data)
    await context.bot.send_photo(
        chat_id, InputFile(png, filename="usage.png"), caption=views.chart_caption(data),
        parse_mode=ParseMode.HTML,
    )  # fmt: skip


async def _rendered(context: BotContext, window: Window) -> tuple[str, InlineKeyboardMarkup]:
    summary = await context.services.usage.summary()
    return views.summary(summary, window), kb.usage_keyboard(window)

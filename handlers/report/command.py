"""/report: ask for a period (or take it from `/report last week`), show the facts, then the
model's insights and three recommendations.

The period is read in a worker thread (the first date read imports dateparser). A period
that can't be read is explained and the question stays open, so the next message can be
the corrected one. The model's part runs as a background task: the chat's other updates
don't wait for it, and the facts are already on screen if it fails.
"""

from __future__ import annotations

import asyncio
from html import escape

from telegram import CallbackQuery, Update

from core.conversations import Conversation
from core.errors import CopilotError
from core.report.facts import FactSheet
from core.report.period import read_period
from domain.timegrammar import DateInputError, DateRange
from handlers.common.context import BotContext
from handlers.common.dialog import Who, clear, drop_keyboard, routed, save, send, text_of, zone
from handlers.common.refusals import refuse
from handlers.common.telegram_io import typing
from handlers.report import keyboards as kb
from handlers.report import views

ASKING = "report:period"


async def report_command(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    typed = text_of(update).split(None, 1)[1:]
    if typed:
        await _from_text(context, who, typed[0])
        return
    await save(context, who, ASKING, {})
    await send(context, who, views.ASK, kb.periods_keyboard())


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    await _from_text(context, Who.of(update), text_of(update))


async def on_button(update: Update, context: BotContext) -> None:
    found = await routed(update, context, kb.KIND, {a: _period_button for a in kb.PERIODS})
    if found is None:
        return
    query, key, action = found
    await action(query, context, kb.PERIODS[key.action][1])


async def _period_button(query: CallbackQuery, context: BotContext, words: str) -> None:
    if query.message is None:
        await refuse(query, context, "stale")
        return
    await query.answer()
    who = Who(query.message.chat.id, query.from_user.id)
    # The question is answered: its buttons go, so a second tap can't start a second report.
    await drop_keyboard(context, who, query.message.message_id)
    await _from_text(context, who, words)


async def _from_text(context: BotContext, who: Who, text: str) -> None:
    reports = context.services.reports
    try:
        period = await asyncio.to_thread(read_period, text, reports.today(), zone(context))
    except DateInputError as error:
        await save(context, who, ASKING, {})  # the corrected period can come next
        await send(context, who, escape(str(error), quote=False), kb.periods_keyboard())
        return
    await clear(context, who)
    await _report(context, who, period)


async def _report(context: BotContext, who: Who, period: DateRange) -> None:
    sheet = await context.services.reports.facts(period)
    await send(context, who, views.facts(sheet))
    context.application.create_task(_analysis(context, who, sheet), name="report-analysis")


async def _analysis(context: BotContext, who: Who, sheet: FactSheet) -> None:
    try:
        async with typing(context.bot, who.chat_id):
            result = await context.services.reports.analyze(sheet)
    except CopilotError as error:
        await send(context, who, views.no_analysis(str(error)))
        return
    await send(context, who, views.analysis(result))

"""Moving through the /sequence steps: ask, read the answer (typed or tapped), go on.

A bad answer gets a message saying what to send, and the step stays where it is with
everything kept. The recipients step and the summary live in handlers.sequence.recipients
and handlers.sequence.create.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery

from core.conversations import Conversation
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, edit_tapped, load, message_id_of, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.common.steps import tapped_option
from handlers.sequence.keyboards import WEEKDAYS, days_keyboard, step_keyboard
from handlers.sequence.steps import (
    BY_STATE,
    DAYS,
    NAME,
    StepInputError,
    days_problem,
    next_state,
    read_answer,
    toggle_day,
)
from handlers.sequence.views import answered, days_question, step_question

STEP_OVER = "That step is over. Send /sequence to start again."


async def start(context: BotContext, who: Who) -> None:
    await save(context, who, NAME, {})
    await send(context, who, step_question(BY_STATE[NAME], first=True))


async def ask(context: BotContext, who: Who, state: str, data: dict[str, Any]) -> None:
    step = BY_STATE[state]
    await save(context, who, state, data)
    if state == DAYS:
        per_week = int(data.get("weekly_emails") or 1)
        chosen = list(data.get("weekly_days") or [])
        await send(context, who, days_question(step, per_week), days_keyboard(chosen, step.number))
        return
    await send(context, who, step_question(step), step_keyboard(step))


async def accept(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    try:
        added = read_answer(state.state, text)
    except StepInputError as error:
        await send(
            context, who, f"⚠️ {escape(str(error), quote=False)}\nPlease send it again, or /cancel."
        )
        return
    data = {**state.data, **added}
    await ask(context, who, next_state(state.state, data), data)


async def pick_option(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    picked = await tapped_option(query, context, who, key, BY_STATE, STEP_OVER)
    if picked is None:
        return
    await query.answer()
    await edit_tapped(context, who, query, answered(picked.step, picked.label))
    await accept(context, who, picked.state, picked.value)


async def toggle(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """A weekday tapped: picked or unpicked, and the keyboard redrawn with the ticks."""
    state = await load(context, who)
    if state is None or state.state != DAYS or key.revision != BY_STATE[DAYS].number:
        await refuse(query, context, "stale", STEP_OVER)
        return
    days = toggle_day(list(state.data.get("weekly_days") or []), key.item_id)
    await save(context, who, DAYS, {**state.data, "weekly_days": days})
    await query.answer()
    message_id = message_id_of(query)
    if message_id is not None:
        step, per_week = BY_STATE[DAYS], int(state.data.get("weekly_emails") or 1)
        await edit(context, who, message_id, days_question(step, per_week),
                   days_keyboard(days, step.number))  # fmt: skip


async def days_done(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await load(context, who)
    if state is None or state.state != DAYS or key.revision != BY_STATE[DAYS].number:
        await refuse(query, context, "stale", STEP_OVER)
        return
    days = list(state.data.get("weekly_days") or [])
    problem = days_problem(days, int(state.data.get("weekly_emails") or 1))
    if problem is not None:
        await query.answer(problem, show_alert=True)
        return
    await query.answer()
    names = ", ".join(WEEKDAYS[d - 1] for d in days)
    await edit_tapped(context, who, query, answered(BY_STATE[DAYS], names))
    await ask(context, who, next_state(DAYS, state.data), state.data)

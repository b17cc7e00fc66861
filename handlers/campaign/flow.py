"""Moving through the /campaign steps: ask, read the answer, go on (or back from the preview).

Answers come as text or as a tap on an option; both end in `accept`. A bad answer gets a
message saying what to send and the step stays where it is, with everything kept.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery

from core.conversations import Conversation
from core.errors import NotFound
from handlers.campaign.keyboards import PERSONA_STEP, step_keyboard
from handlers.campaign.planning import start as start_planning
from handlers.campaign.preview import open_state
from handlers.campaign.steps import (
    BY_STATE,
    COUNT,
    DATES,
    GOAL,
    PERSONA,
    StepInputError,
    next_state,
    read_answer,
)
from handlers.campaign.views import answered, step_question
from handlers.common.context import BotContext
from handlers.common.dialog import Who, drop_keyboard, edit_tapped, load, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.common.steps import tapped_option

STEP_OVER = "That step is over. Send /campaign to start a new campaign."


async def ask(context: BotContext, who: Who, state: str, data: dict[str, Any]) -> None:
    step = BY_STATE[state]
    await save(context, who, state, data)
    await send(context, who, step_question(step), step_keyboard(step))


async def accept(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    try:
        added = read_answer(state.state, text)
    except StepInputError as error:
        await send(context, who, f"⚠️ {escape(str(error))}\nPlease send it again, or /cancel.")
        return
    await advance(context, who, state.state, {**state.data, **added})


async def advance(context: BotContext, who: Who, state: str, data: dict[str, Any]) -> None:
    """The next step; straight back to planning when the preview sent us here."""
    following = next_state(state)
    if data.pop("back", False) or following is None:
        await start_planning(context, who, data)
        return
    await ask(context, who, following, data)


async def pick_persona(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    state = await load(context, who)
    if state is None or state.state != PERSONA or key.revision != PERSONA_STEP:
        await refuse(query, context, "stale", STEP_OVER)
        return
    try:
        persona = await context.services.personas.get(key.item_id)
    except NotFound as error:
        await refuse(query, context, "stale", str(error), show_alert=True)
        return
    await query.answer()
    await _mark_answered(context, who, query, PERSONA_STEP, "Persona", persona.name)
    await ask(context, who, GOAL, {"persona_id": persona.id, "persona_name": persona.name})


async def pick_option(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    picked = await tapped_option(query, context, who, key, BY_STATE, STEP_OVER)
    if picked is None:
        return
    await query.answer()
    step = picked.step
    await _mark_answered(context, who, query, step.number, step.label, picked.label)
    await accept(context, who, picked.state, picked.value)


async def type_own(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await load(context, who)
    step = BY_STATE.get(state.state) if state is not None else None
    if step is None or step.own is None or step.number != key.revision:
        await refuse(query, context, "stale", STEP_OVER)
        return
    await query.answer()
    await send(context, who, f"Send {step.own} as your next message.")


async def back_to_count(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    await _back(query, context, who, key, COUNT)


async def back_to_dates(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    await _back(query, context, who, key, DATES)


async def _back(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, state: str
) -> None:
    """Change one answer; the plan is then made again with it (the others are kept)."""
    current = await open_state(query, context, who, key)
    if current is None:
        return
    await query.answer()
    await drop_keyboard(context, who, current.data.get("summary_id"))
    await drop_keyboard(context, who, current.data.get("detail_id"))
    await ask(context, who, state, {**current.data, "back": True})


async def _mark_answered(
    context: BotContext, who: Who, query: CallbackQuery, number: int, label: str, value: str
) -> None:
    await edit_tapped(context, who, query, answered(number, label, value))

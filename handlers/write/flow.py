"""Moving through /write's steps: ask, read the answer (typed or tapped), go on.

A bad answer gets a message saying what to send, and the step stays where it is with
everything kept. With two or more brands the last step asks which one; with one (or
none) the crew starts right after the content type.
"""

from __future__ import annotations

import secrets
from html import escape
from typing import Any

from telegram import CallbackQuery

from core.conversations import Conversation
from core.errors import NotFound
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit_tapped, load, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.common.steps import StepInputError, tapped_option
from handlers.write import writing
from handlers.write.keyboards import brand_keyboard, step_keyboard
from handlers.write.steps import AUDIENCE, BRAND, BRIEF, BY_STATE, CONTENT_TYPE, read_text
from handlers.write.views import answered, step_question

STEP_OVER = "That step is over. Send /write to start again."
NEXT = {BRIEF: AUDIENCE, AUDIENCE: CONTENT_TYPE}


async def start(context: BotContext, who: Who, brief: str = "") -> None:
    """Step 1, or step 2 when the brief came with the command (/write <brief>)."""
    await save(context, who, BRIEF, {})  # a brief that won't do is asked for again
    if not brief:
        await send(context, who, step_question(BY_STATE[BRIEF], first=True))
        return
    await accept(context, who, Conversation(BRIEF, {}), brief)


async def accept(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    try:
        data = {**state.data, **read_text(state.state, text)}
    except StepInputError as error:
        await send(context, who, f"⚠️ {escape(str(error), quote=False)}\n"
                                 "Please send it again, or /cancel.")  # fmt: skip
        return
    if state.state in NEXT:
        await _ask(context, who, NEXT[state.state], data)
    else:
        await _after_type(context, who, data)


async def pick_option(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    picked = await tapped_option(query, context, who, key, BY_STATE, STEP_OVER)
    if picked is None:
        return
    await query.answer()
    await edit_tapped(context, who, query, answered(picked.step, picked.label))
    await accept(context, who, picked.state, picked.value)


async def pick_brand(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await load(context, who)
    if state is None or state.state != BRAND or state.data.get("token") != key.revision:
        await refuse(query, context, "stale", STEP_OVER)
        return
    try:
        brand = await context.services.brands.get(key.item_id)
    except NotFound:
        await refuse(query, context, "stale", "That brand is gone. Pick another one.")
        return
    await query.answer()
    await edit_tapped(context, who, query, answered(BY_STATE[BRAND], brand.name))
    await writing.begin(context, who, state.data, brand_id=brand.brand_id)


async def _after_type(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    brands = await context.services.brands.list()
    if len(brands) < 2:  # none: no guidelines; one: it is the default
        await writing.begin(context, who, data, brand_id=None)
        return
    token = secrets.randbelow(2**31)
    await save(context, who, BRAND, {**data, "token": token})
    await send(context, who, step_question(BY_STATE[BRAND]), brand_keyboard(brands, token))


async def _ask(context: BotContext, who: Who, state: str, data: dict[str, Any]) -> None:
    step = BY_STATE[state]
    await save(context, who, state, data)
    await send(context, who, step_question(step), step_keyboard(step))

"""Creating a persona in a short conversation: name, voice, hashtags, guidelines, pillars.

Each answer is checked by core (the REST body's rules) as it comes, so a problem is
named at the step that caused it and nothing typed so far is lost.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery

from core.conversations import Conversation
from core.errors import Conflict, ValidationFailed
from core.personas.documents import validate_persona
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, edit_tapped, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.persona.fields import FIELDS, PersonaField, index_of, with_answer
from handlers.persona.views import answered, card, create_question, created, question_keyboard

PREFIX = "persona:new:"
STEP_OVER = "That step is over. Send /persona to start again."


def field_key(state: Conversation) -> str:
    return state.state.removeprefix(PREFIX)


async def start(context: BotContext, who: Who) -> None:
    await _ask(context, who, 0, {"draft": {}})


async def on_text(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    await _answer(context, who, state, text)


async def on_option(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, state: Conversation
) -> None:
    field = _asked(state, key)
    option = field.option(key.item_id) if field is not None else None
    if field is None or option is None:
        await refuse(query, context, "stale", STEP_OVER)
        return
    await query.answer()
    await edit_tapped(context, who, query, answered(field, option))
    await _answer(context, who, state, option)


async def on_skip(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, state: Conversation
) -> None:
    field = _asked(state, key)
    if field is None or key.revision == 0:
        await refuse(query, context, "stale", STEP_OVER)
        return
    await query.answer("Skipped")
    await edit_tapped(context, who, query, answered(field, None))
    await _next(context, who, field.key, state.data)


def _asked(state: Conversation, key: CallbackKey) -> PersonaField | None:
    """The field being asked, if the tapped button belongs to its question."""
    index = index_of(field_key(state))
    return FIELDS[index] if index == key.revision else None


async def _answer(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    key = field_key(state)
    draft = with_answer(state.data["draft"], key, text)
    try:
        validate_persona(draft)
    except ValidationFailed as error:
        await send(context, who, f"⚠️ {bullet_list(error.problems)}\nPlease send it again.")
        return
    if key == "name" and await context.services.personas.find(text) is not None:
        await send(context, who, _taken(text.strip()))
        return
    await _next(context, who, key, {**state.data, "draft": draft})


async def _next(context: BotContext, who: Who, key: str, data: dict[str, Any]) -> None:
    following = index_of(key) + 1
    if data.get("finish") or following == len(FIELDS):
        await _finish(context, who, data)
        return
    await _ask(context, who, following, data)


async def _ask(context: BotContext, who: Who, index: int, data: dict[str, Any]) -> None:
    field = FIELDS[index]
    await save(context, who, PREFIX + field.key, data)
    markup = question_keyboard(index, skippable=index > 0)
    await send(context, who, create_question(field, index + 1), markup)


async def _finish(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    draft = data["draft"]
    try:
        persona = await context.services.personas.create(validate_persona(draft))
    except Conflict:
        # Somebody took the name meanwhile: ask for another, keep every other answer.
        await save(context, who, PREFIX + "name", {**data, "finish": True})
        await send(context, who, _taken(str(draft["name"])) + " Your other answers are kept.")
        return
    await clear(context, who)
    await send(context, who, created(persona, "created"))
    await send(context, who, card(persona))


def _taken(name: str) -> str:
    return f"⚠️ A persona named <b>{escape(name)}</b> exists already. Send another name, or /cancel."

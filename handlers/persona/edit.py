"""Editing one field of a persona: pick the persona, pick the field, send the new value."""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery

from core.conversations import Conversation
from core.errors import Conflict, NotFound, ValidationFailed
from core.personas.models import PersonaPatch
from core.personas.views import PersonaView
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.persona.fields import (
    BY_KEY,
    FIELDS,
    PersonaField,
    current_value,
    index_of,
    patch_for,
)
from handlers.persona.views import (
    card,
    edit_keyboard,
    edit_question,
    pillars_updated,
    question_keyboard,
)

PREFIX = "persona:edit:"
GONE = "That persona no longer exists; send /persona for the current list."


async def show_menu(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    persona = await _persona(query, context, key.item_id)
    if persona is None:
        return
    await query.answer()
    await send(context, who, card(persona) + "\n\n<i>Which field should change?</i>",
               edit_keyboard(persona))  # fmt: skip


async def start_field(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    if not 0 <= key.revision < len(FIELDS):
        await refuse(query, context, "invalid")
        return
    persona = await _persona(query, context, key.item_id)
    if persona is None:
        return
    await query.answer()
    field = FIELDS[key.revision]
    await save(context, who, PREFIX + field.key, {"persona_id": persona.id})
    question = edit_question(field, persona, current_value(field.key, persona))
    await send(context, who, question, question_keyboard(key.revision, skippable=False))


async def on_option(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, state: Conversation
) -> None:
    field_key = state.state.removeprefix(PREFIX)
    option = BY_KEY[field_key].option(key.item_id) if field_key in BY_KEY else None
    if option is None or index_of(field_key) != key.revision:
        await refuse(query, context, "stale", "That question is over. Send /persona to edit again.")
        return
    await query.answer()
    await on_text(context, who, state, option)


async def on_text(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    field = BY_KEY[state.state.removeprefix(PREFIX)]
    persona_id = int(state.data["persona_id"])
    try:
        current = await context.services.personas.get(persona_id)
        patch = patch_for(field.key, text, current)
        updated = await context.services.personas.update(persona_id, patch)
    except NotFound:
        await clear(context, who)
        await send(context, who, GONE)
        return
    except (ValidationFailed, Conflict) as error:
        problems = error.problems if isinstance(error, ValidationFailed) else [str(error)]
        await send(context, who, f"⚠️ {bullet_list(problems)}\nSend it again, or /cancel.")
        return
    await clear(context, who)
    await send(context, who, _done(field, patch, current, updated))
    await send(context, who, card(updated))


def _done(field: PersonaField, patch: PersonaPatch, before: PersonaView, after: PersonaView) -> str:
    if field.key == "pillars":
        return pillars_updated(before, after, [p.name for p in patch.content_pillars or []])
    return f"✅ {escape(field.label)} of <b>{escape(after.name)}</b> updated."


async def _persona(
    query: CallbackQuery, context: BotContext, persona_id: int
) -> PersonaView | None:
    try:
        return await context.services.personas.get(persona_id)
    except NotFound:
        await refuse(query, context, "stale", GONE, show_alert=True)
        return None

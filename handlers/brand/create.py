"""Creating a brand in a conversation: pick the persona, then the fields one by one.

Each answer is read (handlers.brand.fields) and the whole brand so far validated by core
as it comes, so a problem is named at the step that caused it and nothing typed so far is
lost. ⏭ skips a question, 💾 saves what there is.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery

from core.brands.documents import validate_brand
from core.conversations import Conversation
from core.errors import NotFound, ValidationFailed
from handlers.brand.fields import FIELDS, BrandField, index_of, plain_problems, read_answer
from handlers.brand.views import (
    BY_FILE,
    NO_PERSONA,
    UPLOAD_HELP,
    answered,
    card,
    card_keyboard,
    create_question,
    persona_keyboard,
    persona_question,
    question_keyboard,
    saved,
)
from handlers.common.context import BotContext
from handlers.common.dialog import (
    Who,
    bullet_list,
    clear,
    edit,
    edit_tapped,
    load,
    message_id_of,
    save,
    send,
)
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse

PREFIX = "brand:new:"
FILE_STATE = "brand:file"
STEP_OVER = "That step is over. Send /brand to start again."


def actor(who: Who) -> str:
    return f"user:{who.user_id}"


async def ask_persona(context: BotContext, who: Who, how: int) -> None:
    """For a conversation, the personas with no brand yet; for a file, every persona (a
    file replaces a persona's brand: download, edit, send back). And "no persona"."""
    brands = await context.services.brands.list()
    taken = frozenset(view.persona_id for view in brands if view.persona_id is not None)
    personas = await context.services.personas.list()
    if how != BY_FILE:
        personas = tuple(p for p in personas if p.id not in taken)
    await send(context, who, persona_question(how), persona_keyboard(personas, how, taken))


async def on_persona(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """The persona picked: the questions (or the wait for a file) start, once per chooser."""
    chooser = message_id_of(query)
    if await _started_from(context, who, chooser):
        await refuse(query, context, "stale", "Already started: answer the question above.")
        return
    persona_id = key.item_id if key.item_id != NO_PERSONA else None
    if persona_id is not None and key.revision != BY_FILE:
        own = await context.services.brands.view_for_persona(persona_id)
        if own is not None and own.persona_id == persona_id:
            await query.answer()
            await send(context, who, "That persona has a brand already; edit it here:")
            await send(context, who, card(own), card_keyboard(own))
            return
    await query.answer()
    if chooser is not None:
        await edit(context, who, chooser, await _for_whom(context, persona_id))
    data = {"persona_id": persona_id, "chooser": chooser}
    if key.revision == BY_FILE:
        await save(context, who, FILE_STATE, data)
        await send(context, who, UPLOAD_HELP + "\n<i>/cancel stops.</i>")
        return
    await _ask(context, who, 0, {**data, "draft": {}})


async def _started_from(context: BotContext, who: Who, chooser: int | None) -> bool:
    """A second tap on the same chooser (a double tap) must not start over."""
    state = await load(context, who)
    if state is None or chooser is None:
        return False
    return state.state.startswith((PREFIX, FILE_STATE)) and state.data.get("chooser") == chooser


async def _for_whom(context: BotContext, persona_id: int | None) -> str:
    if persona_id is None:
        return "🏷 New brand: <b>no persona</b> ✓"
    try:
        persona = await context.services.personas.get(persona_id)
    except NotFound:
        return "🏷 New brand"
    return f"🏷 New brand for <b>{escape(persona.name)}</b> ✓"


def field_of(state: Conversation) -> BrandField:
    return FIELDS[index_of(state.state.removeprefix(PREFIX))]


async def on_text(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    field = field_of(state)
    try:
        draft = {**state.data["draft"], **read_answer(field, text)}
        validate_brand(draft)
    except ValidationFailed as error:
        await send(
            context, who, f"⚠️ {bullet_list(plain_problems(error.problems))}\nPlease send it again."
        )
        return
    if field.key == "brand_name" and await _name_taken(context, state, text.strip()):
        await send(context, who, _taken(text.strip()))
        return
    await _next(context, who, field, {**state.data, "draft": draft})


async def on_skip(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, state: Conversation
) -> None:
    field = await _left_empty(query, context, who, key, state, "Skipped")
    if field is not None:
        await _next(context, who, field, state.data)


async def on_save_now(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, state: Conversation
) -> None:
    if await _left_empty(query, context, who, key, state) is not None:
        await _finish(context, who, state.data)


async def _left_empty(
    query: CallbackQuery,
    context: BotContext,
    who: Who,
    key: CallbackKey,
    state: Conversation,
    note: str | None = None,
) -> BrandField | None:
    """The asked field, left empty by a button on its question (the name, asked first,
    can't be): marked so on the question. None, and the tap refused, once it is over."""
    field = _asked(state, key)
    if field is None or key.revision == 0:
        await refuse(query, context, "stale", STEP_OVER)
        return None
    await query.answer(note)
    await edit_tapped(context, who, query, answered(field, None))
    return field


def _asked(state: Conversation, key: CallbackKey) -> BrandField | None:
    """The field being asked, if the tapped button belongs to its question."""
    if not state.state.startswith(PREFIX):
        return None
    field = field_of(state)
    return field if index_of(field.key) == key.revision else None


async def _name_taken(context: BotContext, state: Conversation, name: str) -> bool:
    """A brand of its own must not take another one's name: saving would replace it."""
    if state.data.get("persona_id") is not None:
        return False
    brands = await context.services.brands.list()
    return any(b.persona_id is None and b.name.casefold() == name.casefold() for b in brands)


async def _next(context: BotContext, who: Who, field: BrandField, data: dict[str, Any]) -> None:
    following = index_of(field.key) + 1
    if following == len(FIELDS):
        await _finish(context, who, data)
        return
    await _ask(context, who, following, data)


async def _ask(context: BotContext, who: Who, index: int, data: dict[str, Any]) -> None:
    field = FIELDS[index]
    await save(context, who, PREFIX + field.key, data)
    await send(context, who, create_question(field, index + 1), question_keyboard(index))


async def _finish(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    persona_id = data.get("persona_id")
    try:
        guidelines = validate_brand(data["draft"]).guidelines
        view, created = await context.services.brands.upsert(
            guidelines, persona_id=persona_id, actor=actor(who)
        )
    except NotFound:
        await clear(context, who)
        await send(context, who, "⚠️ That persona was deleted meanwhile; nothing was saved.")
        return
    await clear(context, who)
    how = "created" if created else "saved over the one another admin saved meanwhile"
    await send(context, who, saved(view, how))
    await send(context, who, card(view), card_keyboard(view))


def _taken(name: str) -> str:
    return (
        f"⚠️ A brand without persona named <b>{escape(name)}</b> exists already. "
        "Send another name, or /cancel and edit that one in /brand."
    )

"""Changing a brand: one field at a time, the crew switch, the default mark, its file."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery, InputFile

from core.brands import BrandView
from core.brands.documents import dump_brand_document
from core.conversations import Conversation
from core.errors import Conflict, NotFound, ValidationFailed
from handlers.brand.create import actor
from handlers.brand.fields import (
    BY_KEY,
    CLEAR,
    FIELDS,
    BrandField,
    current_value,
    plain_problems,
    read_answer,
)
from handlers.brand.views import (
    card,
    card_keyboard,
    delete_keyboard,
    delete_question,
    deleted,
    edit_keyboard,
    edit_question,
)
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, edit_tapped, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse

PREFIX = "brand:edit:"
GONE = "That brand no longer exists; send /brand for the current list."


async def show(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    view = await _brand(query, context, key.item_id)
    if view is not None:
        await query.answer()
        await send(context, who, card(view), card_keyboard(view))


async def show_menu(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    view = await _brand(query, context, key.item_id)
    if view is not None:
        await query.answer()
        question = card(view) + "\n\n<i>Which field should change?</i>"
        await send(context, who, question, edit_keyboard(view))


async def start_field(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    if not 0 <= key.revision < len(FIELDS):
        await refuse(query, context, "invalid")
        return
    view = await _brand(query, context, key.item_id)
    if view is None:
        return
    await query.answer()
    field = FIELDS[key.revision]
    await save(context, who, PREFIX + field.key, {"brand_id": view.brand_id})
    now = current_value(field, view.guidelines)
    await send(context, who, edit_question(field, view, now))


async def on_text(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    field = BY_KEY[state.state.removeprefix(PREFIX)]
    brand_id = int(state.data["brand_id"])
    brands = context.services.brands
    try:
        changes = await _changes(context, brand_id, field, text)
        view = await brands.update(brand_id, changes, actor=actor(who))
    except NotFound:
        await clear(context, who)
        await send(context, who, GONE)
        return
    except (ValidationFailed, Conflict) as error:
        problems = error.problems if isinstance(error, ValidationFailed) else [str(error)]
        await send(
            context, who, f"⚠️ {bullet_list(plain_problems(problems))}\nSend it again, or /cancel."
        )
        return
    await clear(context, who)
    await send(context, who, f"✅ {escape(field.label)} of <b>{escape(view.name)}</b> updated.")
    await send(context, who, card(view), card_keyboard(view))


async def _changes(
    context: BotContext, brand_id: int, field: BrandField, text: str
) -> dict[str, Any]:
    """One answer as changes; new length limits join the ones the brand has ("-" clears)."""
    changes = read_answer(field, text)
    if field.key == "channel_limits" and text.strip() != CLEAR:
        current = (await context.services.brands.get(brand_id)).guidelines.channel_limits
        changes = {"channel_limits": {**current, **changes["channel_limits"]}}
    return changes


async def switch_crew(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    """The button carries the state it sets: a double tap sets it twice, never flips back."""
    on = key.revision == 1
    try:
        view = await context.services.brands.set_crew(key.item_id, on, actor=actor(who))
    except NotFound:
        await refuse(query, context, "stale", GONE, show_alert=True)
        return
    await query.answer("Review crew on" if on else "Review crew off: drafts are not scored")
    await _redraw(context, who, query, view)


async def make_default(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    try:
        view = await context.services.brands.set_default(key.item_id, actor=actor(who))
    except NotFound:
        await refuse(query, context, "stale", GONE, show_alert=True)
        return
    await query.answer(f"{view.name} is the default brand now")
    await _redraw(context, who, query, view)


async def download(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """The brand as the JSON file /brand and POST /api/brand/upload take back."""
    view = await _brand(query, context, key.item_id)
    if view is None:
        return
    await query.answer()
    data = dump_brand_document(view.guidelines).encode()
    name = f"brand-{view.brand_id}.json"
    caption = (
        f"🏷 {escape(view.name)}: edit it, then send it back with /brand → 📄 Upload a file "
        "to update the brand."
    )
    await context.bot.send_document(
        who.chat_id, InputFile(data, filename=name), caption=caption, parse_mode="HTML"
    )


async def ask_delete(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """🗑 Delete asks first, on the card itself: ✖ Keep it puts the card back."""
    view = await _brand(query, context, key.item_id)
    if view is not None:
        await query.answer()
        await edit_tapped(context, who, query, delete_question(view), delete_keyboard(view))


async def delete(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    try:
        view = await context.services.brands.delete(key.item_id)
    except NotFound:  # a double tap, or deleted from another chat or the API
        await refuse(query, context, "stale", GONE, show_alert=True)
        await edit_tapped(context, who, query, GONE)
        return
    await query.answer("Brand deleted")
    await edit_tapped(context, who, query, deleted(view))


async def keep(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    view = await _brand(query, context, key.item_id)
    if view is not None:
        await query.answer("Kept")
        await _redraw(context, who, query, view)


async def _redraw(context: BotContext, who: Who, query: CallbackQuery, view: BrandView) -> None:
    await edit_tapped(context, who, query, card(view), card_keyboard(view))


async def _brand(query: CallbackQuery, context: BotContext, brand_id: int) -> BrandView | None:
    try:
        return await context.services.brands.get(brand_id)
    except NotFound:
        await refuse(query, context, "stale", GONE, show_alert=True)
        return None

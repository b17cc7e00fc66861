"""/brand: the brands, and buttons to see, create, edit, upload or switch one.

A brand is what the review crew judges drafts by: voice, words to avoid, disclaimers,
links, lengths. Creating and editing are short conversations kept in the database;
uploading is sending a YAML or JSON file after picking the persona.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update

from core.conversations import Conversation
from handlers.brand import create as brand_create
from handlers.brand import edit as brand_edit
from handlers.brand.upload import NOT_A_FILE
from handlers.brand.views import BY_CHAT, BY_FILE, KIND, brand_list, list_keyboard
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, dispatch, load, send, text_of
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse

StepButton = Callable[[CallbackQuery, BotContext, Who, CallbackKey, Conversation], Awaitable[None]]

PREFIX = "brand:"  # brand:new:<field>, brand:edit:<field>, brand:file


async def brand(update: Update, context: BotContext) -> None:
    brands = await context.services.brands.list()
    await send(context, Who.of(update), brand_list(brands), list_keyboard(brands))


async def on_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, KIND, BUTTONS)


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    who, text = Who.of(update), text_of(update)
    if state.state.startswith(brand_edit.PREFIX):
        await brand_edit.on_text(context, who, state, text)
    elif state.state.startswith(brand_create.PREFIX):
        await brand_create.on_text(context, who, state, text)
    else:
        await send(context, who, NOT_A_FILE)


def _starts(how: int) -> Button:
    async def handle(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
        await query.answer()
        await brand_create.ask_persona(context, who, how)

    return handle


def _in_step(step: StepButton) -> Button:
    """A button answering the creation question being asked; stale once it is over."""

    async def handle(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
        state = await load(context, who)
        if state is None or not state.state.startswith(brand_create.PREFIX):
            await refuse(query, context, "stale", brand_create.STEP_OVER)
            return
        await step(query, context, who, key, state)

    return handle


BUTTONS: dict[str, Button] = {
    "sh": brand_edit.show,
    "new": _starts(BY_CHAT),
    "up": _starts(BY_FILE),
    "for": brand_create.on_persona,
    "skip": _in_step(brand_create.on_skip),
    "save": _in_step(brand_create.on_save_now),
    "ed": brand_edit.show_menu,
    "f": brand_edit.start_field,
    "crew": brand_edit.switch_crew,
    "def": brand_edit.make_default,
    "dl": brand_edit.download,
    "del": brand_edit.ask_delete,
    "delok": brand_edit.delete,
    "keep": brand_edit.keep,
}

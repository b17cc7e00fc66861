"""/persona: the personas with their pillars, and buttons to create, edit or import one.

A persona is the voice a campaign is written in. Creating and editing are short
conversations kept in the database; importing is sending a YAML or JSON file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update

from core.conversations import Conversation
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, dispatch, load, send, text_of
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.persona import create as persona_create
from handlers.persona import edit as persona_edit
from handlers.persona.views import KIND, UPLOAD_HELP, list_keyboard, persona_list

StepButton = Callable[[CallbackQuery, BotContext, Who, CallbackKey, Conversation], Awaitable[None]]


PREFIX = "persona:"  # persona:new:<field> and persona:edit:<field>: typed answers


async def persona(update: Update, context: BotContext) -> None:
    personas = await context.services.personas.list()
    await send(context, Who.of(update), persona_list(personas), list_keyboard(personas))


async def on_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, KIND, BUTTONS)


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    who, text = Who.of(update), text_of(update)
    if state.state.startswith(persona_edit.PREFIX):
        await persona_edit.on_text(context, who, state, text)
    else:
        await persona_create.on_text(context, who, state, text)


async def _new(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await query.answer()
    await persona_create.start(context, who)


async def _upload_help(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    await query.answer()
    await send(context, who, UPLOAD_HELP)


def _in_step(create: StepButton, edit: StepButton | None) -> Button:
    """A button that answers the question being asked: which one depends on the state."""

    async def handle(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
        state = await load(context, who)
        name = state.state if state is not None else ""
        if state is not None and name.startswith(persona_create.PREFIX):
            await create(query, context, who, key, state)
        elif state is not None and edit is not None and name.startswith(persona_edit.PREFIX):
            await edit(query, context, who, key, state)
        else:
            await refuse(
                query, context, "stale", "That question is over. Send /persona to start again."
            )

    return handle


BUTTONS: dict[str, Button] = {
    "new": _new,
    "up": _upload_help,
    "ed": persona_edit.show_menu,
    "f": persona_edit.start_field,
    "opt": _in_step(persona_create.on_option, persona_edit.on_option),
    "skip": _in_step(persona_create.on_skip, None),
}

"""/write: a brief in, the review crew's content out (docs/COMMANDS.md, docs/CREW.md).

    /write            the steps: brief → audience → content type → brand
    /write <brief>    the brief given at once: starts at the audience
    /write list       the latest pieces, each one tap from its result and buttons

Buttons are `wr:` (handlers.write.keyboards).
"""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, dispatch, send, text_of
from handlers.write import buttons, flow
from handlers.write.keyboards import KIND, list_keyboard
from handlers.write.steps import BRAND
from handlers.write.views import content_list, list_label

LISTED = 10
BUTTONS: dict[str, Button] = {
    "opt": flow.pick_option,
    "br": flow.pick_brand,
    "v": buttons.refresh,
    "post": buttons.post_draft,
    "mail": buttons.email_draft,
    "txt": buttons.download_text,
    "json": buttons.download_json,
    "again": buttons.try_again,
    "new": buttons.new,
}


async def write(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    argument = text_of(update).partition(" ")[2].strip()
    if argument.lower() == "list":
        await show_list(context, who)
    else:
        await flow.start(context, who, argument)


async def show_list(context: BotContext, who: Who) -> None:
    views = await context.services.content.recent(offset=0, limit=LISTED)
    await send(context, who, content_list(views),
               list_keyboard([(view.id, list_label(view)) for view in views]))  # fmt: skip


async def on_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, KIND, BUTTONS)


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    """A message while /write waits: the answer to the current step."""
    who, text = Who.of(update), text_of(update)
    if state.state == BRAND:
        await send(context, who, "Tap one of the brands above, or /cancel.")
    else:
        await flow.accept(context, who, state, text)

"""/flow: an SMS flow from a plain description, shown, tried, approved (docs/COMMANDS.md).

    /flow                  the flows so far, with their versions; a tap opens one
    /flow <description>    a new flow: the card, its diagram, its JSON

Buttons are `flw:` (handlers.flow.keyboards); thin: core.flows does the work.
"""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from core.errors import CopilotError
from core.flows.service import MAX_DESCRIPTION_CHARS
from handlers.common.context import BotContext
from handlers.common.dialog import Who, clear, key_of, send, text_of
from handlers.common.refusals import STALE, refuse, refuse_error
from handlers.flow import buttons, designing, views
from handlers.flow.keyboards import KIND, choices_of, list_keyboard

LISTED = 10


async def flow(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    description = text_of(update).partition(" ")[2].strip()
    if not description:
        await show_list(context, who)
    elif (problem := too_long(description)) is not None:
        await send(context, who, f"{problem} Please send /flow with a shorter one.")
    else:
        await designing.new_flow(context, who, description)


def too_long(description: str) -> str | None:
    """Said before any model call (core refuses it too, in the API's words)."""
    if len(description) <= MAX_DESCRIPTION_CHARS:
        return None
    return (f"⚠️ That description is {len(description)} characters; "
            f"at most {MAX_DESCRIPTION_CHARS}.")  # fmt: skip


async def show_list(context: BotContext, who: Who) -> None:
    summaries = await context.services.flows.recent(limit=LISTED)
    rows = [(summary.id, views.list_label(summary)) for summary in summaries]
    await send(context, who, views.flow_list(summaries), list_keyboard(rows))


async def on_button(update: Update, context: BotContext) -> None:
    query, key = key_of(update)
    if key is None or key.kind != KIND:
        await refuse(query, context, "invalid", STALE)
        return
    who = Who.of(update)
    choices = choices_of(key.action)
    handler = buttons.BUTTONS.get(key.action)
    try:
        if choices is not None:
            await buttons.walk(query, context, who, key, choices)
        elif handler is not None:
            await handler(query, context, who, key)
        else:
            await refuse(query, context, "invalid", STALE)
    except CopilotError as error:  # the flow or version is gone, or moved on
        await refuse_error(query, context, error)


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    """The new description after ✏️ Edit description: a new version of the flow."""
    who, text = Who.of(update), text_of(update)
    if (problem := too_long(text)) is not None:  # the step stays: send it again
        await send(context, who, f"{problem} Please send a shorter one, or /cancel.")
        return
    flow_id, version = int(state.data["flow_id"]), int(state.data["version"])
    if not designing.claim(context, flow_id):
        await send(context, who, buttons.BUSY)
        return
    await clear(context, who)
    busy = views.REGENERATING.format(version=version + 1, flow_id=flow_id)
    message = await send(context, who, busy)
    designing.regenerate(context, who, message.message_id, flow_id, version, description=text)

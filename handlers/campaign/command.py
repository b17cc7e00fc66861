"""/campaign: seven short steps, a plan to look at and adjust, then one tap to create it.

    persona → theme or goal → tone → audience → dates → number of posts → formats
    → planning (in the background) → preview → ✅ Create campaign

Where the user is lives in the database, so a restart resumes at the same step.
"""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from handlers.campaign import date_step as campaign_date_step
from handlers.campaign import flow as campaign_flow
from handlers.campaign import planning as campaign_planning
from handlers.campaign import preview as campaign_preview
from handlers.campaign.keyboards import KIND, personas_keyboard
from handlers.campaign.steps import (
    BY_STATE,
    DATES,
    DATES_CHECK,
    EDIT_CAPTION,
    EDIT_TIME,
    FAILED,
    PERSONA,
    PLANNING,
)
from handlers.campaign.views import NO_PERSONA, persona_question
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, dispatch, save, send, text_of

BUTTONS: dict[str, Button] = {
    "pick": campaign_flow.pick_persona,
    "opt": campaign_flow.pick_option,
    "own": campaign_flow.type_own,
    "dy": campaign_date_step.confirm,
    "dr": campaign_date_step.retype,
    "dc": campaign_date_step.choose,
    "cnt": campaign_flow.back_to_count,
    "dt": campaign_flow.back_to_dates,
    "pg": campaign_preview.page,
    "cap": campaign_preview.start_caption,
    "time": campaign_preview.start_time,
    "retry": campaign_planning.retry,
    "re": campaign_planning.replan,
    "ok": campaign_planning.confirm,
    "x": campaign_planning.cancel,
}
USE_BUTTONS = (
    "The plan is above: ✅ Create campaign, 🔄 Re-plan, change the number of posts or the "
    "dates, or page through the posts and edit a caption or a time. /cancel drops it."
)


async def campaign(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    personas = await context.services.personas.list()
    if not personas:
        await send(context, who, NO_PERSONA)
        return
    await save(context, who, PERSONA, {})
    await send(context, who, persona_question(), personas_keyboard(personas))


async def on_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, KIND, BUTTONS)


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    """A message while a campaign conversation is open: the answer to the current step."""
    who, text = Who.of(update), text_of(update)
    if state.state in (DATES, DATES_CHECK):
        await campaign_date_step.on_text(context, who, state, text)
    elif state.state in BY_STATE:
        await campaign_flow.accept(context, who, state, text)
    elif state.state in (EDIT_CAPTION, EDIT_TIME):
        await campaign_preview.on_edit_text(context, who, state, text)
    elif state.state == PERSONA:
        await send(context, who, "Tap one of the persona buttons above, or /cancel.")
    elif state.state == PLANNING:
        await campaign_planning.still_planning(context, who, state)
    elif state.state == FAILED:
        await send(context, who, "Tap 🔁 Retry on the message above, or /cancel.")
    else:
        await send(context, who, USE_BUTTONS)

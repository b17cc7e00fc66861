"""The brief goes to the crew; one message follows it from "⏳ Creator" to the result.

The conversation is cleared first, so a second tap on the last step's button starts
nothing. The crew runs in its own worker (bot/crew_jobs.py); this side only watches, with
the cards' watcher (handlers.common.crew_progress): the message is edited when a step
finishes, until the crew is done, its deadline passes, or the bot stops. The message has
🔄 Refresh all along, so a restart (which ends the watching, not the crew) loses nothing:
a tap shows where it is and starts watching again.
"""

from __future__ import annotations

from html import escape
from typing import Any

from core.content.requests import ContentRequest
from core.content.views import ContentView
from core.crew.types import Brief
from core.errors import CopilotError, ValidationFailed
from domain.crew import ContentType, ItemKind
from handlers.common import crew_progress
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, edit, send
from handlers.write.render import markup_for, text_for
from handlers.write.views import progress_text

STILL_WRITING = "<i>The crew is still writing; tap 🔄 Refresh to see where it is.</i>"


async def begin(
    context: BotContext, who: Who, data: dict[str, Any], *, brand_id: int | None
) -> None:
    await clear(context, who)  # first: a second tap finds the conversation over
    brief = Brief(
        campaign_brief=str(data["campaign_brief"]),
        target_audience=str(data["target_audience"]),
        content_type=ContentType(data["content_type"]),
    )
    await write(context, who, ContentRequest(brief, brand_id))


async def write(context: BotContext, who: Who, request: ContentRequest) -> None:
    """Hand the brief to the crew and follow it; a refusal is said plainly, nothing kept."""
    try:
        view = await context.services.content.create(
            request, source="telegram", created_by=who.user_id
        )
    except ValidationFailed as error:
        await send(context, who, "⚠️ The crew can't start:\n" + bullet_list(error.problems)
                   + "\nSend /write to try again.")  # fmt: skip
        return
    except CopilotError as error:
        await send(context, who, f"⚠️ {escape(str(error))}")
        return
    await show(context, who, view)


async def show(context: BotContext, who: Who, view: ContentView) -> None:
    """The progress message, kept up to date while the crew works."""
    message = await send(context, who, progress_text(view), markup_for(view))
    await keep_current(context, who, view.id, message.message_id)


async def keep_current(context: BotContext, who: Who, content_id: int, message_id: int) -> None:
    """Redraw the message as the crew's steps finish (handlers.common.crew_progress: one
    watcher per message, it stops with the bot and after its deadline)."""
    review = await context.services.crew.latest(ItemKind.CONTENT, content_id)
    redraw = _redraw(context, who, content_id, message_id)
    if review is None or review.finished:  # done before anyone watched: show it now
        await redraw(False)
    crew_progress.watch(context, who.chat_id, message_id, review, redraw)


def _redraw(
    context: BotContext, who: Who, content_id: int, message_id: int
) -> crew_progress.Redraw:
    async def redraw(stopped: bool) -> bool:
        view = await context.services.content.get_by_id(content_id)
        text = await text_for(context, view)
        if stopped and not view.finished:
            text += "\n" + STILL_WRITING
        await edit(context, who, message_id, text, markup_for(view))
        return True

    return redraw

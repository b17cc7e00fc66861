"""The plan preview: a summary message, a post-by-post detail message, and small edits.

The plan lives in the conversation data (the database), so the preview and its buttons
keep working after a restart. Edits change that stored plan; nothing reaches the posts
table before "Create campaign".
"""

from __future__ import annotations

import asyncio
import copy
from html import escape
from typing import Any

from telegram import CallbackQuery, ForceReply

from core.campaigns.models import CampaignPlan
from core.conversations import Conversation
from core.errors import ValidationFailed
from domain.timegrammar import DateInputError, read_moment
from handlers.campaign.keyboards import detail_keyboard, summary_keyboard
from handlers.campaign.steps import EDIT_CAPTION, EDIT_TIME, PREVIEW, PREVIEW_STATES
from handlers.campaign.views import detail, summary, when_long
from handlers.common.context import BotContext
from handlers.common.dialog import (
    Who,
    bullet_list,
    edit,
    load,
    save,
    send,
    zone,
)
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import STALE, refuse

OVER = "This plan is no longer open: it was created, cancelled or replaced."
REPLACED = "This preview was replaced by a newer plan."


def plan_of(data: dict[str, Any]) -> CampaignPlan:
    # Without a validation context the time rules are skipped: a stored plan is shown as
    # it is, and checked against the clock again when it is created.
    return CampaignPlan.model_validate(data["plan"])


async def open_state(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> Conversation | None:
    """The conversation if this preview button belongs to the open plan; else say why not."""
    state = await load(context, who)
    if state is None or state.state not in PREVIEW_STATES:
        await refuse(query, context, "stale", OVER, show_alert=True)
        return None
    if int(state.data.get("rev", 0)) != key.revision:
        await refuse(query, context, "stale", REPLACED, show_alert=True)
        return None
    return state


async def _open_post(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> Conversation | None:
    """As open_state, and the post the button names is one of the plan's."""
    state = await open_state(query, context, who, key)
    if state is not None and not 0 <= key.item_id < len(plan_of(state.data).posts):
        await refuse(query, context, "invalid", STALE)
        return None
    return state


async def show_new(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    """Turn the status message into the summary and send the first post's detail.

    The buttons appear only once the state naming both messages is saved, so the
    quickest tap already finds the whole preview.
    """
    plan, tz = plan_of(data), zone(context)
    message = await send(context, who, detail(plan, 0, tz))
    data = {**data, "detail_id": message.message_id}
    await save(context, who, PREVIEW, data)
    await refresh(context, who, data)


async def refresh(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    plan, tz, revision = plan_of(data), zone(context), int(data["rev"])
    summary_html = summary(plan, data, tz)
    await edit(context, who, int(data["summary_id"]), summary_html, summary_keyboard(revision))
    await show_detail(context, who, data)


async def show_detail(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    plan, tz, revision = plan_of(data), zone(context), int(data["rev"])
    index = min(int(data.get("index", 0)), len(plan.posts) - 1)
    markup = detail_keyboard(index, len(plan.posts), revision)
    await edit(context, who, int(data["detail_id"]), detail(plan, index, tz), markup)


async def page(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await _open_post(query, context, who, key)
    if state is None:
        return
    await query.answer()
    data = {**state.data, "index": key.item_id}
    await save(context, who, state.state, data)
    await show_detail(context, who, data)


async def start_caption(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    await _start_edit(query, context, who, key, EDIT_CAPTION)


async def start_time(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await _start_edit(query, context, who, key, EDIT_TIME)


async def _start_edit(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, target: str
) -> None:
    state = await _open_post(query, context, who, key)
    if state is None:
        return
    await query.answer()
    await save(context, who, target, {**state.data, "editing": key.item_id})
    await context.bot.send_message(
        who.chat_id, _edit_prompt(context, plan_of(state.data), key.item_id, target),
        reply_markup=ForceReply(input_field_placeholder=_placeholder(target)),
    )  # fmt: skip


def _edit_prompt(context: BotContext, plan: CampaignPlan, index: int, target: str) -> str:
    number = index + 1
    if target == EDIT_CAPTION:
        return f"Send the new caption for post {number} (without hashtags) as your next message."
    tz = zone(context)
    now = when_long(plan.posts[index].scheduled_at, tz)
    return (
        f"Send the new date and time for post {number}, like “3 Dec 18:00” or “tomorrow 9:30” "
        f"({tz.key}). Now: {now}."
    )


def _placeholder(target: str) -> str:
    return "New caption" if target == EDIT_CAPTION else "e.g. 3 Dec 18:00"


async def on_edit_text(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    index = int(state.data["editing"])
    try:
        changes = await _changes(context, state.state, text)
    except DateInputError as error:
        await send(context, who, f"⚠️ {escape(str(error))}")
        return
    plan = copy.deepcopy(state.data["plan"])
    plan["posts"][index].update(changes)
    problems = _problems_of_post(context, plan, index)
    if problems:
        await send(context, who, f"⚠️ That won't work:\n{bullet_list(problems)}\nSend it again.")
        return
    data = {key: value for key, value in state.data.items() if key != "editing"}
    data = {**data, "plan": plan, "index": index}
    await save(context, who, PREVIEW, data)
    await refresh(context, who, data)
    await send(context, who, f"Post {index + 1} updated. The plan above shows it.")


async def _changes(context: BotContext, state: str, text: str) -> dict[str, Any]:
    if state == EDIT_CAPTION:
        return {"caption_draft": text.strip()}
    tz = zone(context)
    # A worker thread: the first read loads the date library (~0.4 s).
    when = await asyncio.to_thread(read_moment, text, now=context.services.clock.now(), tz=tz)
    return {"scheduled_at": when.astimezone(tz).isoformat()}


def _problems_of_post(context: BotContext, plan: dict[str, Any], index: int) -> list[str]:
    """Only the edited post's problems: the others are checked again at creation."""
    try:
        context.services.campaigns.validate(plan)
    except ValidationFailed as failed:
        prefix = f"Post #{index + 1}:"
        return [
            line.removeprefix(prefix).strip() for line in failed.problems if line.startswith(prefix)
        ]
    return []

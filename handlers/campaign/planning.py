"""Planning in the background, and what can be done with the plan: create, re-plan, cancel.

The model is asked in a background task, so this chat stays responsive; a status message
says so and is replaced by the plan. Each run has an id kept in the conversation: a
result that arrives after /cancel, or after a newer run started, is dropped.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from telegram import CallbackQuery
from telegram.error import BadRequest

from core.campaigns.planner import PlanRequest
from core.conversations import Conversation
from core.errors import CopilotError, ValidationFailed
from handlers.campaign.keyboards import retry_keyboard
from handlers.campaign.preview import open_state, show_new
from handlers.campaign.steps import FAILED, PLANNING, plan_request_data
from handlers.campaign.views import created_text, failed_text, planning_text
from handlers.common.context import BotContext
from handlers.common.dialog import (
    Who,
    bullet_list,
    clear,
    drop_keyboard,
    edit,
    load,
    save,
    send,
)
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.common.telegram_io import typing

log = logging.getLogger(__name__)

STOPPED = "Planning stopped: this campaign was cancelled. Nothing was saved."
BROKEN = "something went wrong on my side (it has been logged)"


async def start(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    """Everything is collected: check it, show a status message, plan in the background."""
    try:
        request = PlanRequest.checked(plan_request_data(data))
    except ValidationFailed as error:
        await clear(context, who)
        text = (
            f"⚠️ I can't plan this:\n{bullet_list(error.problems)}\nSend /campaign to start again."
        )
        await send(context, who, text)
        return
    status = await send(context, who, planning_text(str(data["persona_name"]), request.post_count))
    await _launch(context, who, data, status.message_id)


async def _launch(
    context: BotContext, who: Who, data: dict[str, Any], status_id: int, *, fresh: bool = False
) -> None:
    """`fresh` for a Retry or a Re-plan: the model is asked again, never the LLM cache."""
    run = secrets.randbelow(2**31)
    await save(context, who, PLANNING, {**data, "run": run, "status_id": status_id})
    request = PlanRequest.checked(plan_request_data(data))
    context.application.create_task(
        _plan(context, who, request, run, status_id, fresh),
        name=f"campaign-plan:{who.chat_id}:{run}",
    )


async def _plan(
    context: BotContext, who: Who, request: PlanRequest, run: int, status_id: int, fresh: bool
) -> None:
    planner = context.services.planner
    try:
        async with typing(context.bot, who.chat_id):
            preview = await planner.preview(request, fresh=fresh)
    except CopilotError as error:
        log.info("campaign planning failed", extra={"chat_id": who.chat_id, "reason": str(error)})
        await _failed(context, who, run, status_id, str(error))
        return
    except Exception:
        await _failed(context, who, run, status_id, BROKEN)
        raise  # for the error handler's log and metrics
    state = await _current_run(context, who, run)
    if state is None:
        await edit(context, who, status_id, STOPPED)
        return
    plan = preview.plan.model_dump(mode="json")
    revision = int(state.data.get("rev", 0)) + 1
    await show_new(context, who, {
        **state.data, "plan": plan, "model": preview.model, "warnings": list(preview.warnings),
        "rev": revision, "index": 0, "summary_id": status_id, "call_id": preview.call_id,
    })  # fmt: skip


async def _current_run(context: BotContext, who: Who, run: int) -> Conversation | None:
    state = await load(context, who)
    if state is None or state.state != PLANNING or state.data.get("run") != run:
        return None
    return state


async def _failed(context: BotContext, who: Who, run: int, status_id: int, reason: str) -> None:
    state = await _current_run(context, who, run)
    if state is None:
        await edit(context, who, status_id, STOPPED)
        return
    await save(context, who, FAILED, state.data)
    await edit(context, who, status_id, failed_text(reason), retry_keyboard(run))


CLOSED = "This plan is no longer open; send /campaign to start again."


async def retry(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """Retry after a failure, or after a restart cut a run short. Once per failed run."""
    state = await load(context, who)
    if state is None or state.state not in (FAILED, PLANNING):
        await refuse(query, context, "stale", CLOSED)
        return
    if state.data.get("run") != key.item_id or query.message is None:
        await query.answer("Already planning again…")
        return
    await query.answer("Trying again…")
    status_id = query.message.message_id
    count = int(state.data["post_count"])
    await edit(context, who, status_id, planning_text(str(state.data["persona_name"]), count))
    await _launch(context, who, state.data, status_id, fresh=True)


async def still_planning(context: BotContext, who: Who, state: Conversation) -> None:
    """A message while planning: say so, with a Retry in case a restart cut the run short."""
    text = (
        "⏳ I'm still planning your campaign. If no plan arrives within a couple of minutes, "
        "tap Retry."
    )
    await send(context, who, text, retry_keyboard(int(state.data.get("run", 0))))


async def replan(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await open_state(query, context, who, key)
    if state is None:
        return
    await query.answer("Planning again…")
    data = state.data
    count = int(data["post_count"])
    await _remove(context, who, int(data["detail_id"]))
    summary_id = int(data["summary_id"])
    await edit(context, who, summary_id, planning_text(str(data["persona_name"]), count))
    await _launch(context, who, data, summary_id, fresh=True)


async def _remove(context: BotContext, who: Who, message_id: int) -> None:
    try:
        await context.bot.delete_message(who.chat_id, message_id)
    except BadRequest:  # too old to delete (48 h): at least its buttons go
        await drop_keyboard(context, who, message_id)


async def confirm(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await open_state(query, context, who, key)
    if state is None:
        return
    data = state.data
    try:
        created = await context.services.campaigns.create(
            data["plan"], actor=f"user:{who.user_id}", model=str(data["model"]),
            user_id=who.user_id, llm_call_id=data.get("call_id"),
        )  # fmt: skip
    except ValidationFailed as error:
        await query.answer("The plan needs a fix first.", show_alert=True)
        await send(context, who, _cannot_create(error.problems))
        return
    await clear(context, who)
    await query.answer("Campaign created ✅")
    await _close(context, who, data)
    await send(context, who, created_text(created.campaign.id, len(created.posts)))


def _cannot_create(problems: list[str]) -> str:
    return (
        f"⚠️ The plan can't be created as it is:\n{bullet_list(problems)}\n"
        "Change those posts with 🕒 Time, or tap 🔄 Re-plan."
    )


async def cancel(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await open_state(query, context, who, key)
    if state is None:
        return
    await clear(context, who)
    await query.answer("Cancelled")
    await _close(context, who, state.data)
    await send(context, who, "Cancelled. Nothing was saved.")


async def _close(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    await drop_keyboard(context, who, data.get("summary_id"))
    await drop_keyboard(context, who, data.get("detail_id"))

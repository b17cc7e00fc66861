"""Step 5 of /campaign, the dates: read by domain.timegrammar and echoed back before they count.

    "from tomorrow for two weeks" → "📅 22 Nov – 5 Dec 2026, Europe/Berlin: OK?"
                                     [✅ Yes] [✏️ Retype]

Two failed tries in a row add buttons for common ranges (this week, next week, the next
2 weeks, this month), each showing its dates, so a tap is the confirmation. Every echo
or offer bumps `dates_rev` in the conversation and its buttons carry it, so a button on
an older message can't confirm dates the person no longer sees.

Dates are read in a worker thread: the first read loads the date library (~0.4 s), which
would otherwise hold up every other chat's updates.
"""

from __future__ import annotations

import asyncio
from datetime import date
from html import escape
from typing import Any

from telegram import CallbackQuery

from core.conversations import Conversation
from domain.timegrammar import DateInputError, DateRange, common_ranges, read_range
from handlers.campaign.flow import STEP_OVER, advance
from handlers.campaign.keyboards import date_choices_keyboard, dates_check_keyboard
from handlers.campaign.steps import BY_STATE, DATES, DATES_CHECK
from handlers.campaign.views import answered, step_header, step_question
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, load, local_today, message_id_of, save, send, zone
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse

STEP = BY_STATE[DATES]
REPLACED = "Those dates were replaced by newer ones: use the latest message."
OFFER_AFTER = 2  # failed tries before the common ranges are offered
_SCRATCH = ("dates_offer", "date_choices", "date_fails")  # this step's own keys


async def on_text(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    """Dates typed at step 5, or typed again instead of tapping ✅ on the echo."""
    tz, today = zone(context), local_today(context)
    try:
        found = await asyncio.to_thread(read_range, text, today, tz)
    except DateInputError as error:
        await _explain(context, who, state.data, str(error), today)
        return
    data = _without_scratch(state.data)
    revision = _next_revision(data)
    offer = {"dates_offer": [found.start.isoformat(), found.end.isoformat()]}
    await save(context, who, DATES_CHECK, {**data, **offer, "dates_rev": revision})
    await send(context, who, echo_text(found, tz.key), dates_check_keyboard(revision))


async def confirm(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await _open(query, context, who, key, (DATES_CHECK,))
    if state is None:
        return
    start, end = (date.fromisoformat(day) for day in state.data["dates_offer"])
    await _accept(query, context, who, state.data, DateRange(start, end))


async def retype(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await _open(query, context, who, key, (DATES_CHECK,))
    if state is None:
        return
    await query.answer()
    data = _without_scratch(state.data)
    await save(context, who, DATES, {**data, "dates_rev": _next_revision(data)})
    message_id = message_id_of(query)
    if message_id is not None:  # the echo turns back into the question
        await edit(context, who, message_id, step_question(STEP))


async def choose(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await _open(query, context, who, key, (DATES, DATES_CHECK))
    if state is None:
        return
    choices = state.data.get("date_choices") or []
    if not 0 <= key.item_id < len(choices):
        await refuse(query, context, "stale", REPLACED)
        return
    _, start, end = choices[key.item_id]
    found = DateRange(date.fromisoformat(start), date.fromisoformat(end))
    await _accept(query, context, who, state.data, found)


def echo_text(found: DateRange, zone_name: str) -> str:
    lines = [
        step_header(STEP.number),
        f"📅 <b>{escape(found.show())}</b>, {escape(zone_name)}: OK?",
        f"{found.days} day{'s' if found.days != 1 else ''}, {found.start:%A} to {found.end:%A}.",
    ]
    if found.order_note:
        lines.append(f"<i>{escape(found.order_note)}</i>")
    return "\n".join(lines)


async def _accept(
    query: CallbackQuery, context: BotContext, who: Who, data: dict[str, Any], found: DateRange
) -> None:
    await query.answer()
    message_id = message_id_of(query)
    if message_id is not None:
        await edit(context, who, message_id, answered(STEP.number, STEP.label, found.show()))
    dates = {"start_date": found.start.isoformat(), "end_date": found.end.isoformat()}
    await advance(context, who, DATES, {**_without_scratch(data), **dates})


async def _explain(
    context: BotContext, who: Who, data: dict[str, Any], reason: str, today: date
) -> None:
    """Say why; from the second failed try on, offer the common ranges as buttons."""
    fails = int(data.get("date_fails", 0)) + 1
    data = {**_without_scratch(data), "date_fails": fails}
    if fails < OFFER_AFTER:
        await save(context, who, DATES, data)
        await send(context, who, f"⚠️ {escape(reason)}\nPlease send it again, or /cancel.")
        return
    revision = _next_revision(data)
    common = await asyncio.to_thread(common_ranges, today, zone(context))
    choices = [[name, found.start.isoformat(), found.end.isoformat()] for name, found in common]
    await save(context, who, DATES, {**data, "date_choices": choices, "dates_rev": revision})
    labels = [f"{name} · {found.label()}" for name, found in common]
    await send(
        context, who, f"⚠️ {escape(reason)}\nOr tap one of these:",
        date_choices_keyboard(labels, revision),
    )  # fmt: skip


async def _open(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, states: tuple[str, ...]
) -> Conversation | None:
    """The conversation if this button belongs to the dates now on offer; else say why not."""
    state = await load(context, who)
    if state is None or state.state not in (DATES, DATES_CHECK):
        await refuse(query, context, "stale", STEP_OVER)
        return None
    if state.state not in states or int(state.data.get("dates_rev", 0)) != key.revision:
        await refuse(query, context, "stale", REPLACED)
        return None
    return state


def _next_revision(data: dict[str, Any]) -> int:
    return int(data.get("dates_rev", 0)) + 1


def _without_scratch(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in _SCRATCH}

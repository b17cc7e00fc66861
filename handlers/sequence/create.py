"""The summary of a new sequence — its planned send times — and ✅ Create.

The summary is planned by core (SequenceService.plan): the same checks and the same send
times the sequence gets when created, so what the admin sees is what is stored. Nothing
is stored before ✅ Create; a second tap finds the conversation over and creates nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from telegram import CallbackQuery

from core.errors import ValidationFailed
from core.sequences.recipients import ConsentedRecipient, RecipientImport
from handlers.common.context import BotContext
from handlers.common.dialog import Who, clear, drop_keyboard, load, message_id_of, save, send, zone
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.sequence.keyboards import summary_keyboard
from handlers.sequence.steps import SUMMARY, request_body
from handlers.sequence.views import created, problems_text, summary

OVER = "This sequence was already created or dropped. Send /sequence to see it."


def recipients_of(data: dict[str, Any]) -> RecipientImport:
    pairs = data.get("recipients") or []
    return RecipientImport([ConsentedRecipient(email, source) for email, source in pairs])


def _body(data: dict[str, Any], imported: RecipientImport) -> dict[str, Any]:
    body = request_body(data)
    if body["schedule_type"] == "daily":
        body = {k: v for k, v in body.items() if k not in ("weekly_emails", "weekly_days")}
    return {**body, "recipient_emails": [r.email for r in imported.recipients]}


async def show_summary(
    context: BotContext, who: Who, data: dict[str, Any], imported: RecipientImport
) -> None:
    pairs = [[r.email, r.consent_source] for r in imported.recipients]
    data = {**data, "recipients": pairs, "token": secrets.randbelow(2**31)}
    try:
        planned = await context.services.sequences.plan(_body(data, imported), recipients=imported)
    except ValidationFailed as error:
        await save(context, who, SUMMARY, data)
        await send(context, who, problems_text(error.problems, "This sequence can't be planned:")
                   + "\n/cancel and start again with /sequence.")  # fmt: skip
        return
    await save(context, who, SUMMARY, data)
    text = summary(data, planned.spec.cadence().summary(), planned.sends, zone(context))
    await send(context, who, text, summary_keyboard(int(data["token"])))


async def confirm(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await load(context, who)
    if state is None or state.state != SUMMARY or state.data.get("token") != key.revision:
        await refuse(query, context, "stale", OVER, show_alert=True)
        return
    await clear(context, who)  # first: a second tap finds nothing to create
    imported = recipients_of(state.data)
    try:
        detail = await context.services.sequences.create(
            _body(state.data, imported), actor=f"user:{who.user_id}", recipients=imported
        )
    except ValidationFailed as error:
        await save(context, who, SUMMARY, state.data)
        await query.answer("It needs a fix first.", show_alert=True)
        await send(context, who, problems_text(error.problems, "Not created:"))
        return
    await query.answer("Sequence created ✅")
    await drop_keyboard(context, who, message_id_of(query))
    await send(context, who, created(detail))


async def cancel(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    state = await load(context, who)
    if state is None or state.state != SUMMARY or state.data.get("token") != key.revision:
        await refuse(query, context, "stale", OVER)
        return
    await clear(context, who)
    await query.answer("Cancelled")
    await drop_keyboard(context, who, message_id_of(query))
    await send(context, who, "Cancelled. Nothing was saved.")

"""✏️ Edit and 🔄 Regenerate on a sequence email's card.

Edit waits for the next message: `Subject: …` on its first line changes the subject, the
rest (or the whole message) is the new body. Regenerate asks the model for a new text in
a background task (a model call takes seconds; neither this chat nor any other waits),
the card saying so with its buttons off meanwhile. Both are conditional on the revision
the card showed: an email changed or decided meanwhile keeps its words.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery, ForceReply, Update

from core.conversations import Conversation
from core.errors import AlreadyDecided, CopilotError, NotFound, ValidationFailed
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, message_id_of, save, send, text_of
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse, refuse_error
from handlers.common.telegram_io import typing
from handlers.sequence.review import redraw
from handlers.sequence.steps import PREFIX

EDITING = PREFIX + "edit_email"
WRITING = "✍️ Writing a new version of this email…"
REWRITTEN = "🔄 A new version from the model: approve it when it reads right."
_BUSY = "sequence_emails_rewriting"  # bot_data: emails with a model call under way here


def read_edit(text: str) -> dict[str, Any]:
    """`Subject: …` first line → subject (and the rest, if any, the body); else the body."""
    first, _, rest = text.strip().partition("\n")
    if first.lower().startswith("subject:"):
        subject = first.split(":", 1)[1].strip()
        return {"subject": subject, "body_text": rest.strip() or None}
    return {"subject": None, "body_text": text.strip()}


async def start_edit(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    message_id = message_id_of(query)
    if message_id is None:
        await refuse(query, context, "stale", "This card is too old to edit; use /approve.",
                     show_alert=True)  # fmt: skip
        return
    await query.answer()
    data = {"email_id": key.item_id, "revision": key.revision, "message_id": message_id}
    await save(context, who, EDITING, data)
    await context.bot.send_message(
        who.chat_id,
        "Send the new text of this email as your next message. Start with a line "
        "“Subject: …” to change the subject too (a subject line alone changes only it). "
        "/cancel keeps it as it is.",
        reply_markup=ForceReply(input_field_placeholder="Subject: …"),
    )


async def on_edit_text(update: Update, context: BotContext, state: Conversation) -> None:
    who, data = Who.of(update), state.data
    change = read_edit(text_of(update))
    try:
        email = await context.services.sequence_review.edit(
            int(data["email_id"]), int(data["revision"]), who.user_id, **change
        )
    except ValidationFailed as error:
        await send(context, who, f"⚠️ {bullet_list(error.problems)}\nSend it again, or /cancel.")
        return
    except (AlreadyDecided, NotFound) as error:
        await clear(context, who)
        await send(context, who, f"⚠️ {escape(str(error))} The edit was not applied.")
        return
    await clear(context, who)
    await redraw(context, who, int(data["message_id"]), email)
    await send(context, who, f"Email #{email.number} updated; approve it when it reads right.")


async def regenerate(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    message_id = message_id_of(query)
    busy: set[int] = context.bot_data.setdefault(_BUSY, set())
    if message_id is None or key.item_id in busy:
        await query.answer("Already writing a new version of this email…")
        return
    review = context.services.sequence_review
    try:
        current = await review.email(key.item_id)
        if current.revision != key.revision:
            raise AlreadyDecided(f"Email #{current.number} changed since this card was shown.")
    except (AlreadyDecided, NotFound) as error:
        await refuse_error(query, context, error)
        return
    busy.add(key.item_id)
    await query.answer("Writing a new version…")
    await redraw(context, who, message_id, current, note=WRITING, buttons=False)
    context.application.create_task(
        _rewrite(context, who, message_id, key, busy), name=f"rewrite-sequence-email:{key.item_id}"
    )


async def _rewrite(
    context: BotContext, who: Who, message_id: int, key: CallbackKey, busy: set[int]
) -> None:
    review = context.services.sequence_review
    try:
        async with typing(context.bot, who.chat_id):
            email = await review.regenerate(key.item_id, key.revision, who.user_id)
        note = REWRITTEN
    except CopilotError as error:  # changed meanwhile, the model failed, the budget is spent
        email = await review.email(key.item_id)
        note = f"⚠️ No new version: {escape(str(error))} Nothing was changed."
    finally:
        busy.discard(key.item_id)
    await redraw(context, who, message_id, email, note=note)

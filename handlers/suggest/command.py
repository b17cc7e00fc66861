"""/suggest: a status message at once, the model's card in its place when it is ready.

The LLM call runs as a background task, so this chat (and every other) stays
responsive while the model writes. The status message is claimed in core.inflight
while it does, so a restart mid-call turns it into a Retry (handlers.interrupted).
A Retry asks the model again, never the LLM cache.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update

from core.errors import CopilotError
from core.inflight import CardKind
from handlers.common.context import BotContext
from handlers.common.keyboards import retry_keyboard
from handlers.common.telegram_io import edit_html, typing
from handlers.review.suggestion_cards import show_at

log = logging.getLogger(__name__)

THINKING = "✍️ Looking at your recent and planned posts and writing a suggestion…"


RETRY_WHAT = "suggest"  # 🔁 Retry on a failed /suggest card: `retry:suggest`


async def suggest(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    status = await update.effective_message.reply_text(THINKING)
    await _start(update, context, status.chat_id, status.message_id, fresh=False)


async def retry_suggest(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    message = query.message
    await query.answer("Trying again…")
    if message is None:
        return
    await edit_html(context.bot, message.chat.id, message.message_id, THINKING)
    await _start(update, context, message.chat.id, message.message_id, fresh=True)


async def _start(
    update: Update, context: BotContext, chat_id: int, message_id: int, *, fresh: bool
) -> None:
    assert update.effective_user is not None
    user_id = update.effective_user.id
    cards = context.services.cards
    # No suggestion exists yet, so nothing to collide on: the claim always succeeds.
    claim = await cards.claim(
        CardKind.SUGGEST, None, chat_id=chat_id, message_id=message_id, user_id=user_id
    )
    assert claim is not None
    context.application.create_task(
        _write(context, chat_id, message_id, user_id, fresh, claim),
        update=update,
        name=f"suggest:{chat_id}:{message_id}",
    )


async def _write(
    context: BotContext, chat_id: int, message_id: int, user_id: int, fresh: bool, claim: int
) -> None:
    try:
        await write_suggestion(context, chat_id, message_id, user_id, fresh=fresh)
    finally:
        await context.services.cards.release(claim)


async def write_suggestion(
    context: BotContext, chat_id: int, message_id: int, user_id: int, *, fresh: bool = False
) -> None:
    services = context.services
    try:
        async with typing(context.bot, chat_id):
            view = await services.suggestions.generate(
                chat_id=chat_id, user_id=user_id, fresh=fresh
            )
    except CopilotError as error:
        log.info("suggestion failed", extra={"chat_id": chat_id, "reason": str(error)})
        text = f"⚠️ I couldn't write a suggestion: {escape(str(error))}\nNothing was saved."
        await edit_html(context.bot, chat_id, message_id, text, retry_keyboard(RETRY_WHAT))
        return
    # The card ticks while the review crew works on it, then shows its scores.
    await show_at(context, chat_id, message_id, view)

"""The one error handler: log first, with the update's context, then tell the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from core.errors import CopilotError
from handlers.common.context import BotContext

log = logging.getLogger("copilot.errors")

SORRY = "Sorry, something went wrong on my side. It has been logged; please try again."

# Telegram answers that mean "nothing to do", matched by their message as Telegram words them.
_HARMLESS = ("message is not modified", "query is too old", "query id is invalid")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, BadRequest) and any(h in error.message.lower() for h in _HARMLESS):
        return
    where = type(error).__name__ if error else "unknown"
    context.services.metrics.errors.labels(where=where).inc()
    log.error("update failed", exc_info=error, extra=_describe(update))
    if isinstance(error, Forbidden | RetryAfter | NetworkError):
        return  # the user can't be reached now, or Telegram asked us to slow down
    await _tell_user(update, context, str(error) if isinstance(error, CopilotError) else SORRY)


def _describe(update: object) -> dict[str, object]:
    if not isinstance(update, Update):
        return {"update": repr(update)[:200]}
    return {
        "update_id": update.update_id,
        "chat_id": update.effective_chat.id if update.effective_chat else None,
        "user_id": update.effective_user.id if update.effective_user else None,
    }


async def _tell_user(update: object, context: BotContext, text: str) -> None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # telling the user is best effort; the error is logged above
        log.warning("could not tell the user about an error", exc_info=True)

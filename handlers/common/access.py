"""Only ADMIN_USER_IDS may use the bot; everyone else gets one polite answer and nothing else."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.common.context import BotContext
from handlers.common.refusals import refuse

REFUSAL = "Sorry, this is a private bot for its owners. Nothing was changed."


async def admins_only(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is not None and user.id in context.services.settings.access.admin_user_ids:
        return
    if update.callback_query is not None:
        await refuse(update.callback_query, context, "stranger", REFUSAL, show_alert=True)
    elif update.effective_message is not None and _is_private(update):
        await update.effective_message.reply_text(REFUSAL)
    raise ApplicationHandlerStop


def _is_private(update: Update) -> bool:
    # In groups and channels a refusal would be noise for everyone else.
    return update.effective_chat is not None and update.effective_chat.type == "private"

"""The reply to ✏️ Edit on a reply card: the new text of the draft."""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from core.errors import AlreadyDecided, CopilotError
from handlers.common import dialog
from handlers.common.context import BotContext
from handlers.common.dialog import Who
from handlers.replies.cards import ReplyCards


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    message, who = update.effective_message, Who.of(update)
    assert message is not None
    reply_id, revision = int(state.data["id"]), int(state.data["revision"])
    try:
        view = await context.services.replies.edit(
            reply_id, revision, message.text or "", who.user_id
        )
    except AlreadyDecided as error:
        await dialog.clear(context, who)
        await message.reply_text(f"{error} The edit was not applied.")
        return
    except CopilotError as error:  # empty or too long: say so, keep waiting
        await message.reply_text(f"{error} Send the text again, or /cancel.")
        return
    await dialog.clear(context, who)
    await ReplyCards.of(context).redraw(view)
    await message.reply_text(
        f"Reply #{view.id} updated. Check the card, then ✅ Approve & send when it reads right."
    )

"""/dashboard: a button that opens the Mini App (calendar, review queue, numbers, brands)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.constants import ChatType

from handlers.common.context import BotContext
from handlers.dashboard.links import dashboard_url, why_not

OPEN = "📊 Open the dashboard"
INTRO = (
    "The dashboard: the calendar (drag a post to move it), the review queue, the numbers "
    "and brand settings. It is also under the menu button beside the message field."
)
PRIVATE_ONLY = "The dashboard opens from a private chat with me: send /dashboard there."


async def dashboard_command(update: Update, context: BotContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    base = context.services.settings.app.public_base_url
    url = dashboard_url(base)
    if url is None:
        await message.reply_text(why_not(base))
        return
    if chat.type != ChatType.PRIVATE:  # Telegram allows web_app buttons in private chats only
        await message.reply_text(PRIVATE_ONLY)
        return
    button = InlineKeyboardButton(OPEN, web_app=WebAppInfo(url))
    await message.reply_text(INTRO, reply_markup=InlineKeyboardMarkup([[button]]))

"""A suggestion card redrawn in place, with the buttons its state allows."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.suggestions.models import SuggestionView
from handlers.common.context import BotContext
from handlers.common.keyboards import SUGGESTION, CallbackKey, suggestion_keyboard
from handlers.common.telegram_io import edit_html
from handlers.common.views import suggestion_card
from handlers.images.keyboards import generate_images_button


async def show_at(
    context: BotContext,
    chat_id: int,
    message_id: int,
    view: SuggestionView,
    *,
    next_steps: bool = True,
    note: str = "",
    buttons: bool = True,
) -> None:
    """`note` (HTML) goes under the card; `buttons=False` takes them off (while writing)."""
    tz = context.services.settings.app.tz
    markup = suggestion_keyboard(view.id, view.revision) if view.status == "pending" else None
    if view.status == "approved" and next_steps:
        markup = _after_approval(view)
    html = suggestion_card(view, tz, note)
    await edit_html(context.bot, chat_id, message_id, html, markup if buttons else None)


def _after_approval(view: SuggestionView) -> InlineKeyboardMarkup | None:
    """An approved suggestion is a draft post: it needs its images, or to go out as text."""
    if view.post_id is None:
        return None
    as_text = CallbackKey(SUGGESTION, "tx", view.id, view.revision).encode()
    return InlineKeyboardMarkup(
        [
            [
                generate_images_button(view.post_id),
                InlineKeyboardButton("📝 Text only", callback_data=as_text),
            ]
        ]
    )

"""A suggestion card drawn or redrawn, with the buttons its state allows and its crew review.

While the review crew works on a pending suggestion, the card ticks its steps off
(handlers.common.crew_progress) and then shows the scores; a low score adds
"✨ Apply optimizer rewrite" under the usual buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from core.errors import NotFound
from core.memory.types import Match
from core.posts.crew_gate import CrewState
from core.suggestions.models import SuggestionView
from domain.crew import ItemKind
from domain.memory import MemoryKind
from handlers.common import crew_progress, review_cards
from handlers.common.context import BotContext
from handlers.common.crew_block import (
    card_block,
    confirm_keyboard,
    crew_rows,
    room_for,
    with_rows,
)
from handlers.common.keyboards import SUGGESTION, CallbackKey, suggestion_keyboard
from handlers.common.repeats import repeat_of, with_button, with_warning
from handlers.common.telegram_io import edit_html
from handlers.common.views import suggestion_card
from handlers.images.keyboards import generate_images_button

CARD = ItemKind.SUGGESTION  # what the card registry calls it


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
    state = await context.services.suggestions.crew(view)
    repeat = await _repeat(context, view)
    html, markup = _render(context, view, state, next_steps=next_steps, note=note, repeat=repeat)
    await edit_html(context.bot, chat_id, message_id, html, markup if buttons else None)
    await review_cards.shown(context, chat_id, message_id, CARD, view.id, view.revision)
    _follow(context, chat_id, message_id, view, state, note=note, live=buttons)


async def send_card(context: BotContext, chat_id: int, view: SuggestionView) -> None:
    """A new card for the suggestion (in /approve), ticking while its crew works."""
    state = await context.services.suggestions.crew(view)
    html, markup = _render(context, view, state, repeat=await _repeat(context, view))
    sent = await context.bot.send_message(
        chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    await review_cards.shown(context, chat_id, sent.message_id, CARD, view.id, view.revision)
    _follow(context, chat_id, sent.message_id, view, state)


async def ask_confirmation(
    context: BotContext, chat_id: int, message_id: int, view: SuggestionView, question: str
) -> None:
    """Approve met an unconfirmed compliance failure: the card asks before approving."""
    crew_progress.stop(context, chat_id, message_id)
    state = await context.services.suggestions.crew(view)
    html, _ = _render(context, view, state, note=question, repeat=await _repeat(context, view))
    markup = confirm_keyboard(SUGGESTION, view.id, view.revision)
    await edit_html(context.bot, chat_id, message_id, html, markup)


async def _repeat(context: BotContext, view: SuggestionView) -> Match | None:
    """The near-repeat warning, for a suggestion still waiting for a decision."""
    if view.status != "pending":
        return None
    return await repeat_of(context, MemoryKind.SUGGESTION, view.id, view.caption)


def _render(
    context: BotContext,
    view: SuggestionView,
    state: CrewState,
    *,
    next_steps: bool = True,
    note: str = "",
    stopped: bool = False,
    repeat: Match | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    tz = context.services.settings.app.tz
    markup: InlineKeyboardMarkup | None = None
    note = with_warning(note, repeat)
    if view.status == "pending":
        rows = crew_rows(SUGGESTION, view.id, view.revision, state)
        markup = with_button(with_rows(suggestion_keyboard(view.id, view.revision), rows), repeat)
    elif view.status == "approved" and next_steps:
        markup = _after_approval(view)
    room = room_for(suggestion_card(view, tz, note))
    crew = card_block(state, stopped=stopped, open_=view.status == "pending", budget=room)
    html = suggestion_card(view, tz, note, crew=crew)
    return html, markup


def _follow(
    context: BotContext,
    chat_id: int,
    message_id: int,
    view: SuggestionView,
    state: CrewState,
    *,
    note: str = "",
    live: bool = True,
) -> None:
    """Tick the card while its crew works; a card without buttons (writing) is left alone."""
    if not live or view.status != "pending":
        crew_progress.stop(context, chat_id, message_id)
        return

    async def redraw(stopped: bool) -> bool:
        try:
            now = await context.services.suggestions.get(view.id)
        except NotFound:
            return False
        if (now.status, now.revision) != ("pending", view.revision):
            return False  # decided or changed: whoever did it drew the card
        fresh = await context.services.suggestions.crew(now)
        repeat = await _repeat(context, now)
        html, markup = _render(context, now, fresh, note=note, stopped=stopped, repeat=repeat)
        await edit_html(context.bot, chat_id, message_id, html, markup)
        return True

    crew_progress.watch(context, chat_id, message_id, state.review, redraw)


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

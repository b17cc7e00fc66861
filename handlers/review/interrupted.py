"""At start-up: cards an earlier process left on "Writing…" go back to their stored state.

A stop that cuts a model call off (a crash, kill -9, a deploy that outlasts the grace
period) leaves the card saying "Writing…" with no buttons, and its claim in
core.inflight. Nothing was stored for the cut-off call, so each such card is redrawn from
the item as it is stored, with a note and its buttons, and its claim is released. This
runs before the first update is handled, so a tap never finds a stale claim.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from core.errors import NotFound
from core.inflight import CardKind, WritingCard
from core.review_queue.desks import NO_MESSAGE
from handlers.common.context import BotApplication, BotContext
from handlers.common.dialog import Who
from handlers.common.keyboards import retry_keyboard
from handlers.common.telegram_io import edit_html
from handlers.common.views import INTERRUPTED
from handlers.review import post_cards, suggestion_cards
from handlers.sequence import rewrite
from handlers.suggest.command import RETRY_WHAT

log = logging.getLogger(__name__)

SUGGEST_INTERRUPTED = (
    "⚠️ Writing a suggestion was interrupted by a restart; tap 🔁 Retry to try again. "
    "Nothing was saved."
)


async def restore_cards(application: BotApplication) -> None:
    context = BotContext(application)
    cards = context.services.cards
    for card in await cards.left_over():
        if card.message_id == NO_MESSAGE:  # a Mini App regenerate: no chat card to put back
            await cards.release(card.id)
            continue
        where = {"kind": card.kind.value, "item_id": card.item_id, "chat_id": card.chat_id}
        try:
            await _restore(context, card)
            log.info("restored a card a restart interrupted", extra=where)
        except (NotFound, TelegramError) as error:  # the item or the message is gone
            log.warning("could not restore an interrupted card: %s", error, extra=where)
        await cards.release(card.id)


async def _restore(context: BotContext, card: WritingCard) -> None:
    if card.kind is CardKind.SUGGEST or card.item_id is None:
        markup = retry_keyboard(RETRY_WHAT)
        await edit_html(context.bot, card.chat_id, card.message_id, SUGGEST_INTERRUPTED, markup)
    elif card.kind is CardKind.POST:
        view = await context.services.posts.get(card.item_id)
        who = Who(card.chat_id, card.user_id)
        await post_cards.show_at(context, who, card.message_id, view, note=INTERRUPTED)
    elif card.kind is CardKind.SEQUENCE_EMAIL:
        who = Who(card.chat_id, card.user_id)
        await rewrite.restore(context, who, card.message_id, card.item_id)
    else:
        suggestion = await context.services.suggestions.get(card.item_id)
        await suggestion_cards.show_at(
            context, card.chat_id, card.message_id, suggestion, note=INTERRUPTED
        )

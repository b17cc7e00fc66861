"""The chat's side of a decision made in the Mini App (or on another card): every card of
the item redrawn.

core.review_queue.ReviewQueue.decide tells this (core.review_queue.ports.ChatCards) once
the decision is stored. A decided card says who decided it, where and when, and loses its
buttons ("✅ Approved in the dashboard by Ann · 14:02"); an edited or regenerated one
shows the new words with its buttons (they now carry the new revision). A decision on a
chat card tells it too (ReviewQueue.decided_in_chat): every card but the tapped one is
redrawn ("🗑 Rejected by Ann · 14:02"). Reply drafts have their own registry of cards
(one per admin), redrawn by handlers.replies.ReplyCards.
"""

from __future__ import annotations

import logging
from html import escape
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, Forbidden

from core.review_queue.cards import ShownCard
from core.review_queue.types import Decided, QueueAction
from domain.crew import ItemKind
from handlers.common.context import BotApplication, BotContext
from handlers.common.dialog import Who
from handlers.replies.cards import ReplyCards
from handlers.review import post_cards, suggestion_cards
from handlers.sequence import review as email_cards

log = logging.getLogger(__name__)

DONE = {
    QueueAction.APPROVE: "✅ Approved",
    QueueAction.REJECT: "🗑 Rejected",
    QueueAction.EDIT: "✏️ Edited",
    QueueAction.REGENERATE: "🔄 Regenerated",
}
# Still waiting for a decision after these: the card keeps its buttons.
OPEN = {QueueAction.EDIT, QueueAction.REGENERATE}


class TelegramReviewCards:
    def __init__(self, application: BotApplication) -> None:
        self._application = application

    async def show_decision(self, decided: Decided) -> None:
        context = BotContext(self._application)
        note = note_of(decided, context.services.settings.app.tz)
        kind, item_id = decided.decision.kind, decided.decision.id
        if kind is ItemKind.REPLY and decided.in_chat is not None:
            return  # a reply's buttons redraw all its cards already (ReplyCards)
        if kind is ItemKind.REPLY:
            view = await context.services.replies.get(item_id)
            await ReplyCards.of(context).redraw(view, note)
            return
        for card in await context.services.review_cards.of_item(kind, item_id):
            if (card.chat_id, card.message_id) != decided.in_chat:  # its handler drew it
                await self._redraw(context, card, note, decided)

    async def _redraw(
        self, context: BotContext, card: ShownCard, note: str, decided: Decided
    ) -> None:
        """One card; one that can't be edited (deleted, chat blocked) is skipped, logged."""
        buttons = decided.action in OPEN
        who = Who(card.chat_id, decided.user_id)
        services = context.services
        try:
            if card.kind is ItemKind.POST:
                post = await services.posts.get(card.item_id)
                await post_cards.show_at(
                    context, who, card.message_id, post, note=note, buttons=buttons
                )
            elif card.kind is ItemKind.SUGGESTION:
                suggestion = await services.suggestions.get(card.item_id)
                await suggestion_cards.show_at(
                    context, card.chat_id, card.message_id, suggestion, note=note,
                    buttons=buttons,
                )  # fmt: skip
            elif card.kind is ItemKind.SEQUENCE_EMAIL:
                email = await services.sequence_review.email(card.item_id)
                await email_cards.redraw(
                    context, who, card.message_id, email, note, buttons=buttons
                )
        except (BadRequest, Forbidden) as error:
            log.info("review card %s/%s not redrawn: %s", card.chat_id, card.message_id, error)


def note_of(decided: Decided, tz: ZoneInfo) -> str:
    """The line under the card (HTML): what was done, by whom, at what local time."""
    who = decided.user_name or f"admin {decided.user_id}"
    at = decided.at.astimezone(tz).strftime("%H:%M")
    where = " in the dashboard" if decided.in_chat is None else ""
    return f"{DONE[decided.action]}{where} by {escape(who)} · {at}"

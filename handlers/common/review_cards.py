"""Where each review card went: recorded whenever one is drawn in a chat, so a decision
made elsewhere (the Mini App, another admin's card) finds the cards of its item and
redraws them (core.review_queue.cards; bot/review_cards.py redraws)."""

from __future__ import annotations

from telegram import CallbackQuery, User

from core.review_queue import Decision, QueueAction
from core.review_queue.cards import ShownCard
from domain.crew import ItemKind
from handlers.common.context import BotContext


async def shown(
    context: BotContext, chat_id: int, message_id: int, kind: ItemKind, item_id: int, revision: int
) -> None:
    card = ShownCard(chat_id, message_id, kind, item_id, revision)
    await context.services.review_cards.record(card)


async def decided_here(
    context: BotContext,
    query: CallbackQuery,
    kind: ItemKind,
    item_id: int,
    action: QueueAction,
    status: str,
) -> None:
    """The tapped card decided the item (its handler redraws it): the item's other cards,
    in this chat or another admin's, say so and lose their buttons."""
    if query.message is None:
        return
    card = (query.message.chat.id, query.message.message_id)
    await done_in_chat(context, query.from_user, card, kind, item_id, action, status)


async def done_in_chat(
    context: BotContext,
    user: User | None,
    card: tuple[int, int],
    kind: ItemKind,
    item_id: int,
    action: QueueAction,
    status: str,
) -> None:
    """The item was decided or changed from a chat: `card` (chat_id, message_id) is the
    card its handler redraws itself (or the message whose button did it, as "Approve all");
    every other recorded card of the item shows it ("✏️ Edited by Ann · 14:02": new words,
    buttons kept; "✅ Approved by Ann": buttons gone)."""
    if user is None:
        return
    decision = Decision(kind, item_id, status, "")
    await context.services.review_queue.decided_in_chat(
        decision, action, user.id, user.first_name, card
    )

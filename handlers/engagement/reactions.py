"""One `message_reaction_count` update into core's plain ReactionReport, and recorded."""

from __future__ import annotations

import logging

from telegram import (
    MessageReactionCountUpdated,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    Update,
)

from core.publishing.engagement import ReactionReport
from handlers.common.context import BotContext

log = logging.getLogger(__name__)


async def on_reaction_count(update: Update, context: BotContext) -> None:
    updated = update.message_reaction_count
    if updated is None:
        return
    try:
        await context.services.engagement.record(report_of(updated))
    except Exception:
        # Not left to the error handler: it would post an apology into the channel.
        log.exception("engagement: could not read a reaction count update")


def report_of(updated: MessageReactionCountUpdated) -> ReactionReport:
    counts: dict[str, int] = {}
    for reaction in updated.reactions:
        key = reaction_key(reaction.type)
        counts[key] = counts.get(key, 0) + reaction.total_count
    return ReactionReport(
        chat_id=updated.chat.id,
        chat_username=updated.chat.username,
        message_id=updated.message_id,
        at=updated.date,
        counts=counts,
    )


def reaction_key(reaction: ReactionType) -> str:
    """ "👍" for an emoji, "custom:<id>" for a custom emoji, "paid" for a paid star."""
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return str(reaction.type)

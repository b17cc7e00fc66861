"""What the review queue needs of the chat: redraw the cards of an item decided elsewhere.

Implemented with Telegram in bot/review_cards.py; core never imports telegram.
"""

from __future__ import annotations

from typing import Protocol

from core.review_queue.types import Decided


class ChatCards(Protocol):
    async def show_decision(self, decided: Decided) -> None:
        """Redraw every chat card of the decided item to show the decision."""
        ...


class NoChat:
    """Before the bot is up (and in tools without one): there are no cards to redraw."""

    async def show_decision(self, decided: Decided) -> None:
        return None

"""Semantic memory's one button: "👀 See earlier" under a card's near-repeat warning sends
the earlier item's words (handlers/common/repeats.py puts it on the cards)."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.common.repeats import KIND
from handlers.memory import earlier


def register(app: BotApplication) -> None:
    app.add_handlers([CallbackQueryHandler(earlier.on_button, pattern=pattern(KIND))])

"""Which of the persona, campaign and post-review flows owns a plain message.

review.on_text asks here first: the state prefix names the flow that is waiting for this
message. Anything else (a suggestion edit, or no conversation at all) stays with review.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from core.conversations import Conversation
from handlers import campaign, persona, post_review

TextRoute = Callable[[Update, BotContext, Conversation], Awaitable[None]]

ROUTES: tuple[tuple[str, TextRoute], ...] = (
    ("campaign:", campaign.on_text),
    ("persona:", persona.on_text),
    ("post:", post_review.on_text),
)


def route_for(state: Conversation | None) -> TextRoute | None:
    if state is None:
        return None
    return next((route for prefix, route in ROUTES if state.state.startswith(prefix)), None)

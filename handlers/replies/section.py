"""The reply desk's part of /approve: the replies waiting for a person, as cards."""

from __future__ import annotations

from handlers.common.context import BotContext
from handlers.common.dialog import Who, send
from handlers.replies.cards import ReplyCards

NAME = "replies"
SHOWN = 10


async def waiting(context: BotContext) -> int:
    return (await context.services.replies.waiting(offset=0, limit=1)).total


async def show(context: BotContext, who: Who) -> None:
    page = await context.services.replies.waiting(offset=0, limit=SHOWN)
    more = f" (the oldest {SHOWN} shown; decide them to see the rest)" if page.has_next else ""
    await send(context, who, f"<b>✉️ {page.total} customer replies waiting</b>{more}")
    cards = ReplyCards.of(context)
    for view in page.items:
        await cards.send(who.chat_id, view)

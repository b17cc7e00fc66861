"""Channel reactions on published posts, recorded as engagement (core/publishing/engagement).

Telegram sends `message_reaction_count` updates to a bot that is an admin of the channel.
They carry no user, so the access check (group -1) would stop them as a stranger's: the
handler runs in a group before it. It only records; nothing is ever sent in reply.
"""

from __future__ import annotations

from telegram.ext import MessageReactionHandler

from handlers.common.context import BotApplication
from handlers.engagement.reactions import on_reaction_count

# Before the access check (group -1), which stops every update without an admin user.
ENGAGEMENT_GROUP = -2


def register(app: BotApplication) -> None:
    handler = MessageReactionHandler(
        on_reaction_count,
        message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_COUNT_UPDATED,
    )
    app.add_handler(handler, group=ENGAGEMENT_GROUP)

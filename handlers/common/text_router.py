"""The one owner of plain text: which feature's waiting conversation a message answers.

A feature declares, in its `register(app)`, the conversation states it waits for text in
(`wait_for` an exact state, `wait_for_prefix` a family of states such as "campaign:").
A message is handed to the feature whose state the person is in; with no such state it
gets a nudge towards the commands. Features never look at each other's states.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import MessageHandler, filters

from core.conversations import Conversation
from handlers.common.context import BotApplication, BotContext

TextReply = Callable[[Update, BotContext, Conversation], Awaitable[None]]
UNEXPECTED = "I didn't expect a message here. Try /suggest or /help."
_KEY = "text_routes"


@dataclass
class TextRoutes:
    exact: dict[str, TextReply] = field(default_factory=dict)
    prefixes: dict[str, TextReply] = field(default_factory=dict)

    def add(self, table: dict[str, TextReply], key: str, reply: TextReply) -> None:
        if key in self.exact or key in self.prefixes:
            raise ValueError(f"two features wait for text in {key!r}")
        table[key] = reply

    def find(self, state: str) -> TextReply | None:
        if state in self.exact:
            return self.exact[state]
        return next((r for p, r in self.prefixes.items() if state.startswith(p)), None)


def routes_of(bot_data: dict[Any, Any]) -> TextRoutes:
    """The routes live with the Application (bot_data), so two Applications never share them."""
    routes: TextRoutes = bot_data.setdefault(_KEY, TextRoutes())
    return routes


def wait_for(app: BotApplication, state: str, reply: TextReply) -> None:
    routes = routes_of(app.bot_data)
    routes.add(routes.exact, state, reply)


def wait_for_prefix(app: BotApplication, prefix: str, reply: TextReply) -> None:
    routes = routes_of(app.bot_data)
    routes.add(routes.prefixes, prefix, reply)


def register(app: BotApplication) -> None:
    """The one MessageHandler for plain text (commands are not text here)."""
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))


async def on_text(update: Update, context: BotContext) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    state = await context.services.conversations.get(chat.id, user.id)
    reply = routes_of(context.bot_data).find(state.state) if state is not None else None
    if state is None or reply is None:
        await message.reply_text(UNEXPECTED)
        return
    await reply(update, context, state)

"""The one owner of sent files: which feature a document goes to.

Several features take files (a persona as YAML/JSON, recipients as CSV in /sequence, an
.eml in /email, orders in /orders). Telegram runs only the first matching handler of a
group, so one MessageHandler takes every document and hands it on, in this order:
1. the feature whose conversation the person is in (`wait_for_document`, by state prefix);
2. the feature that claims the file's suffix outside any conversation (`by_suffix`);
3. the fallback (`otherwise`, one feature: persona import, the oldest file-taking feature).
Features never look at each other's states, as with handlers/common/text_router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from telegram import Update
from telegram.ext import MessageHandler, filters

from core.conversations import Conversation
from handlers.common.context import BotApplication, BotContext

StateReply = Callable[[Update, BotContext, Conversation], Awaitable[None]]
FileReply = Callable[[Update, BotContext], Awaitable[None]]
UNEXPECTED = "I don't know what to do with this file here. See /help for what I accept."
_KEY = "document_routes"


@dataclass
class DocumentRoutes:
    prefixes: dict[str, StateReply] = field(default_factory=dict)
    suffixes: dict[str, FileReply] = field(default_factory=dict)
    fallback: FileReply | None = None

    def by_state(self, state: str) -> StateReply | None:
        return next((r for p, r in self.prefixes.items() if state.startswith(p)), None)

    def by_name(self, file_name: str) -> FileReply | None:
        return self.suffixes.get(PurePath(file_name).suffix.lower(), self.fallback)


def routes_of(bot_data: dict[Any, Any]) -> DocumentRoutes:
    routes: DocumentRoutes = bot_data.setdefault(_KEY, DocumentRoutes())
    return routes


def wait_for_document(app: BotApplication, prefix: str, reply: StateReply) -> None:
    routes = routes_of(app.bot_data)
    if prefix in routes.prefixes:
        raise ValueError(f"two features wait for files in {prefix!r}")
    routes.prefixes[prefix] = reply


def by_suffix(app: BotApplication, suffixes: tuple[str, ...], reply: FileReply) -> None:
    routes = routes_of(app.bot_data)
    for suffix in suffixes:
        if suffix.lower() in routes.suffixes:
            raise ValueError(f"two features take {suffix!r} files")
        routes.suffixes[suffix.lower()] = reply


def otherwise(app: BotApplication, reply: FileReply) -> None:
    routes = routes_of(app.bot_data)
    if routes.fallback is not None:
        raise ValueError("two features claim the files nobody else takes")
    routes.fallback = reply


def register(app: BotApplication) -> None:
    """The one MessageHandler for documents."""
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))


async def on_document(update: Update, context: BotContext) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    assert message.document is not None
    routes = routes_of(context.bot_data)
    state = await context.services.conversations.get(chat.id, user.id)
    in_state = routes.by_state(state.state) if state is not None else None
    if state is not None and in_state is not None:
        await in_state(update, context, state)
        return
    reply = routes.by_name(message.document.file_name or "")
    if reply is None:
        await message.reply_text(UNEXPECTED)
        return
    await reply(update, context)

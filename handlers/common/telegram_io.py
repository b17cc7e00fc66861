"""Small wrappers around Bot API calls whose "failures" are really successes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest


def is_not_modified(error: BadRequest) -> bool:
    return "message is not modified" in error.message.lower()


async def edit_html(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit a message; "message is not modified" means it already shows this, so success."""
    try:
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )  # fmt: skip
    except BadRequest as error:
        if not is_not_modified(error):
            raise


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int, every_s: float = 4.5) -> AsyncIterator[None]:
    """Keep "typing…" visible while slow work runs (Telegram clears it after ~5 s)."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(Exception):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(every_s)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

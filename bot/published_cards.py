"""The chat's side of a post going out: its schedule cards redrawn as "✅ published"
(core.publishing.cards.PublishedCards, told by the on_published hook)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import TelegramError

from core.publishing.cards import PublishedPost
from handlers.common.telegram_io import edit_html
from handlers.schedule import keyboards as kb
from handlers.schedule import views

log = logging.getLogger(__name__)


class TelegramPublishedCards:
    def __init__(self, bot: Bot, tz: ZoneInfo, default_target: str | None) -> None:
        self._bot = bot
        self._tz = tz
        self._default_target = default_target

    async def show_published(self, post: PublishedPost) -> None:
        text = views.card(post.item, self._tz, self._default_target)
        markup = kb.published_keyboard(post.item, self._default_target, post.message_id)
        for chat_id, message_id in post.cards:
            try:
                await edit_html(self._bot, chat_id, message_id, text, markup)
            except TelegramError as error:  # deleted, too old to edit, chat blocked
                log.info("schedule card %s/%s not redrawn: %s", chat_id, message_id, error)

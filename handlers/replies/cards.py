"""Reply cards in Telegram: one per admin chat, all redrawn whenever the reply changes.

A new draft is sent to every admin (ADMIN_USER_IDS, in their private chats with the
bot) and where each card went is stored, so a send outcome that arrives later (a retry
after a 4xx, say) updates every copy, and every other copy's buttons go stale at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from html import escape
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_drafting import ReplyUpdate
from core.emaildesk.reply_views import ReplyView
from handlers.common.context import BotContext
from handlers.common.telegram_io import edit_html
from handlers.replies.keyboards import card_keyboard
from handlers.replies.views import REPEATED, reply_card

log = logging.getLogger(__name__)


class ReplyCards:
    """The core ReplyListener: shows what the reply desk did, on every admin's card."""

    def __init__(self, bot: Bot, desk: ReplyDesk, admins: Iterable[int], tz: ZoneInfo) -> None:
        self._bot = bot
        self._desk = desk
        self._admins = sorted(admins)
        self._tz = tz

    @classmethod
    def of(cls, context: BotContext) -> ReplyCards:
        services = context.services
        admins = services.settings.access.admin_user_ids
        return cls(context.bot, services.replies, admins, services.settings.app.tz)

    async def show(self, update: ReplyUpdate) -> None:
        await self.redraw(update.view, _note(update))

    async def redraw(self, view: ReplyView, note: str = "") -> None:
        """Every card of this reply shows it now; the first time, one goes to each admin."""
        cards = await self._desk.cards(view.id)
        if not cards:
            for chat_id in self._admins:
                await self.send(chat_id, view, note)
            return
        for chat_id, message_id in cards:
            await self._edit(chat_id, message_id, view, note)

    async def send(self, chat_id: int, view: ReplyView, note: str = "") -> None:
        """A fresh card in this chat (it becomes the chat's card for this reply)."""
        html = reply_card(view, self._tz, note)
        try:
            message = await self._bot.send_message(
                chat_id, html, parse_mode=ParseMode.HTML, reply_markup=card_keyboard(view)
            )
        except (Forbidden, BadRequest):  # this admin never started the bot, or blocked it
            log.warning("could not show reply #%s to admin %s: no chat", view.id, chat_id)
            return
        await self._desk.add_card(view.id, chat_id, message.message_id)

    async def _edit(self, chat_id: int, message_id: int, view: ReplyView, note: str) -> None:
        html = reply_card(view, self._tz, note)
        try:
            await edit_html(self._bot, chat_id, message_id, html, card_keyboard(view))
        except BadRequest as error:  # the card was deleted: a new one takes its place
            log.info("reply #%s card %s/%s gone (%s)", view.id, chat_id, message_id, error)
            await self.send(chat_id, view, note)


def _note(update: ReplyUpdate) -> str:
    if update.repeated:
        return REPEATED
    if update.failure is not None and update.view.draft is not None:
        return f"⚠️ Couldn't write another draft: {escape(update.failure)} Nothing changed."
    return ""

"""Reply cards in Telegram: one per admin chat, all redrawn whenever the reply changes.

A new draft is sent to every admin (ADMIN_USER_IDS, in their private chats with the
bot) and where each card went is stored, so a send outcome that arrives later (a retry
after a 4xx, say) updates every copy, and every other copy's buttons go stale at once.

Each card also carries the review crew's verdict on the draft it shows: while the crew
works, every copy ticks its steps off (handlers.common.crew_progress), then shows the
scores, the findings and, when the overall score is under the brand's bar, ✨ Apply
optimizer rewrite.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from html import escape
from typing import cast
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_drafting import ReplyUpdate
from core.emaildesk.reply_views import ReplyView
from core.memory.types import Match
from core.posts.crew_gate import CrewState
from domain.crew import ItemKind
from domain.email_replies import ReplyStatus
from domain.memory import MemoryKind
from handlers.common import crew_progress, review_cards
from handlers.common.context import BotApplication, BotContext
from handlers.common.crew_block import card_block, crew_rows, with_rows
from handlers.common.repeats import repeat_of, with_button, with_warning
from handlers.common.telegram_io import edit_html
from handlers.replies.keyboards import KIND, card_keyboard
from handlers.replies.views import REPEATED, reply_card

log = logging.getLogger(__name__)


class ReplyCards:
    """The core ReplyListener: shows what the reply desk did, on every admin's card."""

    def __init__(
        self, application: BotApplication, desk: ReplyDesk, admins: Iterable[int], tz: ZoneInfo
    ) -> None:
        self._application = application
        self._bot = application.bot
        self._desk = desk
        self._admins = sorted(admins)
        self._tz = tz

    @classmethod
    def of(cls, context: BotContext) -> ReplyCards:
        services = context.services
        admins = services.settings.access.admin_user_ids
        # The same application, typed by its context class (a CallbackContext's generic
        # `application` loses it).
        application = cast(BotApplication, context.application)
        return cls(application, services.replies, admins, services.settings.app.tz)

    async def show(self, update: ReplyUpdate) -> None:
        await self.redraw(update.view, _note(update))

    async def redraw(self, view: ReplyView, note: str = "") -> None:
        """Every card of this reply shows it now; the first time, one goes to each admin."""
        state = await self._desk.crew(view)
        note = with_warning(note, repeat := await self._repeat(view))
        cards = await self._desk.cards(view.id)
        if not cards:
            for chat_id in self._admins:
                await self._send(chat_id, view, note, state, repeat)
            return
        for chat_id, message_id in cards:
            await self._edit(chat_id, message_id, view, note, state, repeat)

    async def send(self, chat_id: int, view: ReplyView, note: str = "") -> None:
        """A fresh card in this chat (it becomes the chat's card for this reply)."""
        repeat = await self._repeat(view)
        state = await self._desk.crew(view)
        await self._send(chat_id, view, with_warning(note, repeat), state, repeat)

    def card(
        self,
        view: ReplyView,
        state: CrewState,
        note: str = "",
        *,
        stopped: bool = False,
        repeat: Match | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The card's HTML (the crew's block under the draft) and its buttons; `repeat` adds
        "👀 See earlier" (its warning line is in `note` already)."""
        block = card_block(state, stopped=stopped, open_=_open(view))
        html = reply_card(view, self._tz, note, crew=block)
        rows = crew_rows(KIND, view.id, view.revision, state) if _open(view) else []
        return html, with_button(with_rows(card_keyboard(view), rows), repeat)

    async def _repeat(self, view: ReplyView) -> Match | None:
        """The near-repeat warning, for a draft waiting for a person."""
        if view.status is not ReplyStatus.PENDING:
            return None
        return await repeat_of(self._context(), MemoryKind.REPLY, view.id, view.draft)

    async def _send(
        self, chat_id: int, view: ReplyView, note: str, state: CrewState, repeat: Match | None
    ) -> None:
        html, markup = self.card(view, state, note, repeat=repeat)
        try:
            message = await self._bot.send_message(
                chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except (Forbidden, BadRequest):  # this admin never started the bot, or blocked it
            log.warning("could not show reply #%s to admin %s: no chat", view.id, chat_id)
            return
        await self._desk.add_card(view.id, chat_id, message.message_id)
        await self._shown(chat_id, message.message_id, view)
        self._follow(chat_id, message.message_id, view, note, state, repeat)

    async def _edit(
        self,
        chat_id: int,
        message_id: int,
        view: ReplyView,
        note: str,
        state: CrewState,
        repeat: Match | None,
    ) -> None:
        html, markup = self.card(view, state, note, repeat=repeat)
        try:
            await edit_html(self._bot, chat_id, message_id, html, markup)
        except BadRequest as error:  # the card was deleted: a new one takes its place
            log.info("reply #%s card %s/%s gone (%s)", view.id, chat_id, message_id, error)
            crew_progress.stop(self._context(), chat_id, message_id)
            await self._send(chat_id, view, note, state, repeat)
            return
        await self._shown(chat_id, message_id, view)
        self._follow(chat_id, message_id, view, note, state, repeat)

    def _follow(
        self,
        chat_id: int,
        message_id: int,
        shown: ReplyView,
        note: str,
        state: CrewState,
        repeat: Match | None,
    ) -> None:
        """While the crew works on the draft this card shows, tick its steps off here."""

        async def redraw(stopped: bool) -> bool:
            view = await self._desk.get(shown.id)
            if view.revision != shown.revision or view.status is not shown.status:
                return False  # the card moved on: whatever changed it redraws it
            state = await self._desk.crew(view)
            html, markup = self.card(view, state, note, stopped=stopped, repeat=repeat)
            await edit_html(self._bot, chat_id, message_id, html, markup)
            return True

        crew_progress.watch(self._context(), chat_id, message_id, state.review, redraw)

    async def _shown(self, chat_id: int, message_id: int, view: ReplyView) -> None:
        context = self._context()
        await review_cards.shown(context, chat_id, message_id, ItemKind.REPLY, view.id,
                                 view.revision)  # fmt: skip

    def _context(self) -> BotContext:
        """The watcher's context: the application's services and task registry."""
        return BotContext(self._application)


def _open(view: ReplyView) -> bool:
    """A draft a person can still change: the only kind ✨ is offered on."""
    return view.status is ReplyStatus.PENDING and view.draft is not None


def _note(update: ReplyUpdate) -> str:
    if update.repeated:
        return REPEATED
    if update.failure is not None and update.view.draft is not None:
        return f"⚠️ Couldn't write another draft: {escape(update.failure)} Nothing changed."
    return ""

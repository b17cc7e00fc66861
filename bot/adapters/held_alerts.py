"""Held sequence emails told to the admins in Telegram (core.sequences.ports.HeldAlerter).

The words and buttons are the sequence feature's (handlers.sequence.alerts.held_message),
handed in by the composition root, so this adapter imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from telegram import Bot, InlineKeyboardMarkup

from bot.adapters.telegram_channel import tell_admins
from core.sequences.views import SequenceEmailView

HeldMessage = Callable[[SequenceEmailView], tuple[str, InlineKeyboardMarkup | None]]


class TelegramHeldAlerter:
    def __init__(self, bot: Bot, admin_ids: Collection[int], render: HeldMessage) -> None:
        self._bot = bot
        self._admins = sorted(admin_ids)
        self._render = render

    async def held(self, email: SequenceEmailView) -> None:
        text, markup = self._render(email)
        if not await tell_admins(self._bot, self._admins, text, markup):
            raise RuntimeError(f"no admin could be told that sequence email #{email.id} is held")

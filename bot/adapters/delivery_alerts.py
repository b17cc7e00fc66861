"""Sequence delivery alerts told to the admins in Telegram (core.mailing.delivery_alerts).

The words and buttons are the sequence feature's (handlers.sequence.deliveries), handed
in by the composition root, so this adapter imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from telegram import Bot, InlineKeyboardMarkup

from bot.adapters.telegram_channel import tell_admins
from core.mailing.delivery_alerts import DeliveryAlert

DeliveryMessage = Callable[[DeliveryAlert], tuple[str, InlineKeyboardMarkup | None]]


class TelegramDeliveryAlerter:
    def __init__(self, bot: Bot, admin_ids: Collection[int], render: DeliveryMessage) -> None:
        self._bot = bot
        self._admins = sorted(admin_ids)
        self._render = render

    async def deliveries(self, alert: DeliveryAlert) -> None:
        text, markup = self._render(alert)
        if not await tell_admins(self._bot, self._admins, text, markup):
            raise RuntimeError(f"no admin could be told about sequence email #{alert.email_id}")

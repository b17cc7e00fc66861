"""A publishing alert as the admins read it: the text and the buttons to settle it.

bot/adapters/telegram_channel.TelegramAlerter sends it; the composition root hands it
`alert_message` (bound to the zone and default target), so the adapter imports no feature.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from core.publishing.alerts import Alert
from handlers.schedule.keyboards import alert_keyboard
from handlers.schedule.views import alert_text


def alert_message(
    alert: Alert, tz: ZoneInfo, default_target: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    return alert_text(alert, tz, default_target), alert_keyboard(alert.post_id, alert.kind)

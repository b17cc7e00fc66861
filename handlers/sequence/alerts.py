"""A held sequence email as the admins read it: the text and the buttons to settle it.

The composition root hands `held_message` (bound to the zone) to the adapter that tells
the admins (core.sequences.ports.HeldAlerter), so the adapter imports no feature.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from core.sequences.views import SequenceEmailView
from handlers.sequence.keyboards import held_keyboard
from handlers.sequence.views import held_alert


def held_message(email: SequenceEmailView, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    return held_alert(email, tz), held_keyboard(email.id, email.revision)

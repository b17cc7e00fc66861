"""Buttons under /usage: which period the breakdown shows, and the chart.

callback_data is `usg:<action>:<n>:0`: `w` with the window's days, or `ch` for the chart.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.usage.windows import WINDOWS, Window
from handlers.common.keyboards import CallbackKey

KIND = "usg"
WINDOW, CHART = "w", "ch"


def usage_keyboard(chosen: Window) -> InlineKeyboardMarkup:
    periods = [
        InlineKeyboardButton(
            f"• {window.label}" if window == chosen else window.label,
            callback_data=CallbackKey(KIND, WINDOW, window.days).encode(),
        )
        for window in WINDOWS
    ]
    chart = InlineKeyboardButton(
        "📈 Chart, 30 days", callback_data=CallbackKey(KIND, CHART).encode()
    )
    return InlineKeyboardMarkup([periods, [chart]])

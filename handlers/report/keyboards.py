"""The common periods offered under /report. callback_data is `rpt:<period>:0:0`; the
period is read when tapped, so a button from yesterday means the last 7 days from today."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.keyboards import CallbackKey

KIND = "rpt"
# action → (button text, the words read by core.report.period)
PERIODS = {
    "l7": ("Last 7 days", "last 7 days"),
    "l30": ("Last 30 days", "last 30 days"),
    "lw": ("Last week", "last week"),
    "lm": ("Last month", "last month"),
}


def periods_keyboard() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text, callback_data=CallbackKey(KIND, action).encode())
        for action, (text, _) in PERIODS.items()
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])

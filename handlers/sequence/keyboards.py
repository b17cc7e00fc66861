"""Buttons of /sequence (`sq:<action>:<id>:<revision>`) and of sequence emails in /approve
and the held alerts (`sqe:<action>:<email id>:<revision>`).

Step buttons carry the step number, so a button left on an older question does nothing;
email buttons carry the email's revision, so a card showing old words can't approve it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.keyboards import CallbackKey
from handlers.sequence.steps import Step

KIND = "sq"  # the conversation and the sequence views
EMAIL_KIND = "sqe"  # one sequence email: its card in /approve, its held alert
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _button(
    text: str, action: str, item: int = 0, revision: int = 0, kind: str = KIND
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=CallbackKey(kind, action, item, revision).encode()
    )


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def step_keyboard(step: Step) -> InlineKeyboardMarkup | None:
    buttons = [_button(label, "opt", i, step.number) for i, (label, _) in enumerate(step.options)]
    return InlineKeyboardMarkup(_rows(buttons, 4)) if buttons else None


def days_keyboard(chosen: list[int], step: int) -> InlineKeyboardMarkup:
    days = [
        _button(f"✓ {name}" if iso in chosen else name, "day", iso, step)
        for iso, name in enumerate(WEEKDAYS, start=1)
    ]
    return InlineKeyboardMarkup([*_rows(days, 4), [_button("✅ Done", "dd", 0, step)]])


def consent_keyboard(token: int) -> InlineKeyboardMarkup:
    """Under a list read without consent; `token` is the list's, so an older list's tap fails."""
    return InlineKeyboardMarkup(
        [
            [_button("✅ Yes, they all agreed", "cf", 0, token)],
            [_button("✏️ Send another list", "rl", 0, token)],
        ]
    )


def summary_keyboard(token: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button("✅ Create sequence", "mk", 0, token)],
            [_button("👥 Change recipients", "rl", 0, token), _button("✖️ Cancel", "x", 0, token)],
        ]
    )


def list_keyboard(sequences: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [[_button(f"#{sid} {name[:40]}", "v", sid)] for sid, name in sequences]
    rows.append([_button("➕ New sequence", "new")])
    return InlineKeyboardMarkup(rows)


def detail_keyboard(sequence_id: int, *, paused: bool, finished: bool) -> InlineKeyboardMarkup:
    rows = [[_button("📜 Send log", "log", sequence_id), _button("🔄 Refresh", "v", sequence_id)]]
    if not finished:
        toggle = (
            _button("▶️ Resume", "res", sequence_id)
            if paused
            else _button("⏸ Pause", "pau", sequence_id)
        )
        rows.append([toggle])
    rows.append([_button("◀ All sequences", "ls")])
    return InlineKeyboardMarkup(rows)


def log_keyboard(sequence_id: int, page: int, has_next: bool) -> InlineKeyboardMarkup:
    row = []
    if page > 0:
        row.append(_button("◀ Previous", "log", sequence_id, page - 1))
    if has_next:
        row.append(_button("Next ▶", "log", sequence_id, page + 1))
    return InlineKeyboardMarkup([row, [_button("◀ Back", "v", sequence_id)]])


def email_keyboard(email_id: int, revision: int) -> InlineKeyboardMarkup:
    def key(text: str, action: str) -> InlineKeyboardButton:
        return _button(text, action, email_id, revision, EMAIL_KIND)

    return InlineKeyboardMarkup(
        [
            [key("✅ Approve", "ap"), key("✏️ Edit", "ed")],
            [key("🔄 Regenerate", "rg"), key("🗑 Reject", "rj")],
        ]
    )


def held_keyboard(email_id: int, revision: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button("✅ Approve & send now", "an", email_id, revision, EMAIL_KIND)],
            [_button("⏭ Skip this email", "sk", email_id, revision, EMAIL_KIND)],
        ]
    )


def week_keyboard(
    sequences: list[tuple[int, str]], more_after: int | None
) -> InlineKeyboardMarkup | None:
    """One "approve the rest of this week" per sequence on the page, then "Next"."""
    rows = [
        [_button(f"✅ Approve the rest of this week · {name[:30]}", "wk", sid, 0, EMAIL_KIND)]
        for sid, name in sequences
    ]
    if more_after is not None:
        rows.append([_button("Next ▶", "next", more_after, 0, EMAIL_KIND)])
    return InlineKeyboardMarkup(rows) if rows else None

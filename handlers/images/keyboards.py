"""Buttons of the image pipeline and the callback_data they carry.

`img:<action>:<id>:<n>`: id is a run (a post for "gen"), n the candidate for "pk". Opaque
and short; every decision is checked again in core, so an old button can't do harm.
Post cards add `generate_images_row(post.id)` to their keyboard.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.keyboards import CallbackKey

KIND = "img"
GENERATE, PICK, REGENERATE, EDIT_PROMPT, CANCEL, RETRY = "gen", "pk", "rg", "ep", "cx", "rt"
ACTIONS = frozenset({GENERATE, PICK, REGENERATE, EDIT_PROMPT, CANCEL, RETRY})
PICKS_PER_ROW = 5


def button(text: str, action: str, item_id: int, n: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=CallbackKey(KIND, action, item_id, n).encode())


def generate_images_button(post_id: int) -> InlineKeyboardButton:
    return button("🖼 Generate images", GENERATE, post_id)


def generate_images_row(post_id: int) -> list[InlineKeyboardButton]:
    """One keyboard row for a post card: starts a run for that post."""
    return [generate_images_button(post_id)]


def pick_keyboard(run_id: int, count: int) -> InlineKeyboardMarkup:
    picks = [button(f"Pick {n}", PICK, run_id, n) for n in range(1, count + 1)]
    rows = [picks[i : i + PICKS_PER_ROW] for i in range(0, len(picks), PICKS_PER_ROW)]
    rows.append(
        [button("🔄 Regenerate", REGENERATE, run_id), button("✏️ Edit prompt", EDIT_PROMPT, run_id)]
    )
    rows.append([button("✖ Cancel", CANCEL, run_id)])
    return InlineKeyboardMarkup(rows)


def running_keyboard(run_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("✖ Cancel", CANCEL, run_id)]])


def failed_keyboard(run_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button("🔁 Retry", RETRY, run_id), button("✖ Cancel", CANCEL, run_id)]]
    )

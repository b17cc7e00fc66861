"""Buttons of /write: `wr:<action>:<id>:<revision>`.

Step options carry the step number, brand picks the conversation's token (so a button
left from an earlier /write does nothing), and a result's buttons its content id.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.brands.views import BrandView
from handlers.common.keyboards import CallbackKey
from handlers.common.steps import Step

KIND = "wr"
DEFAULT_BRAND = 0  # "the default brand" on the brand step: brand ids start at 1
BRAND_BUTTONS = 12


def _button(text: str, action: str, item: int = 0, revision: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=CallbackKey(KIND, action, item, revision).encode()
    )


def step_keyboard(step: Step) -> InlineKeyboardMarkup | None:
    buttons = [_button(label, "opt", i, step.number) for i, (label, _) in enumerate(step.options)]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]]) if buttons else None


def brand_keyboard(brands: Sequence[BrandView], token: int) -> InlineKeyboardMarkup:
    """One button a brand, the default first; `token` ties them to this conversation."""
    ordered = sorted(brands, key=lambda b: (not b.is_default, b.name.lower()))
    rows = [
        [_button(("⭐ " if b.is_default else "") + b.name[:40], "br", b.brand_id, token)]
        for b in ordered[:BRAND_BUTTONS]
    ]
    return InlineKeyboardMarkup(rows)


def progress_keyboard(content_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("🔄 Refresh", "v", content_id)]])


def result_keyboard(content_id: int, *, post_id: int | None) -> InlineKeyboardMarkup:
    post = (
        _button(f"📣 Post draft #{post_id}", "post", content_id)
        if post_id is not None
        else _button("📣 Make a post draft", "post", content_id)
    )
    return InlineKeyboardMarkup(
        [
            [post, _button("✉️ Make an email draft", "mail", content_id)],
            [_button("⬇️ Download .txt", "txt", content_id),
             _button("⬇️ Download .json", "json", content_id)],
        ]
    )  # fmt: skip


def failed_keyboard(content_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("🔁 Try again", "again", content_id)]])


def list_keyboard(items: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [[_button(label[:60], "v", content_id)] for content_id, label in items]
    rows.append([_button("✍️ Write something new", "new")])
    return InlineKeyboardMarkup(rows)

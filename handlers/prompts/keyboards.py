"""/prompts buttons: `prm:<action>:<template index>:<version>`.

A template is named by its place in the registry's sorted names (names can be longer
than callback_data allows) and the version the card showed: a promotion or a redeploy
since then changes the version, and the tap is refused as stale instead of acting on
text nobody looked at. A variant is named by its place in the current version.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.keyboards import CallbackKey

KIND = "prm"
LIST = "l"  # back to every template
SHOW = "t"  # one template's versions and variants
ASK = "p"  # ⭐ Promote <variant>: "p<variant index>" asks first
CONFIRM = "y"  # "y<variant index>": promote
PER_ROW = 2


def _button(text: str, action: str, index: int = 0, version: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=CallbackKey(KIND, action, index, version).encode()
    )


def overview_keyboard(names: Sequence[str], versions: Sequence[int]) -> InlineKeyboardMarkup:
    buttons = [
        _button(name, SHOW, index, version)
        for index, (name, version) in enumerate(zip(names, versions, strict=True))
    ]
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    return InlineKeyboardMarkup(rows)


def template_keyboard(
    index: int, version: int, promotable: Sequence[str], variants: Sequence[str]
) -> InlineKeyboardMarkup:
    rows = [
        [_button(f"⭐ Promote {name}", f"{ASK}{variants.index(name)}", index, version)]
        for name in promotable
    ]
    rows.append([_button("◀ All templates", LIST)])
    return InlineKeyboardMarkup(rows)


def confirm_keyboard(index: int, version: int, variant: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button("⭐ Yes, promote", f"{CONFIRM}{variant}", index, version),
                _button("✖ Cancel", SHOW, index, version),
            ]
        ]
    )


def variant_of(action: str, prefix: str) -> int | None:
    """The variant index in "p3" / "y3"; None for anything else."""
    rest = action[len(prefix) :]
    if not action.startswith(prefix) or not rest.isdigit() or len(rest) > 2:
        return None
    return int(rest)

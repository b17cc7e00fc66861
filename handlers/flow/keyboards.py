"""Buttons of /flow: `flw:<action>:<flow id>:<version>`.

Every button names the flow and the version it was shown for, so a button left on an old
card acts on nothing newer than what the person saw (core refuses a stale version).
"Try it" carries the walk itself: `flw:t<choices>:<flow id>:<version>`, one digit per
decision the person made so far (the index of the option tapped). The simulator replays
them from the start, so a walk needs no stored state, survives a restart, and a double tap
just shows the same step again.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.common.keyboards import CallbackKey

KIND = "flw"
APPROVE, REJECT, REGENERATE, EDIT = "ap", "rj", "rg", "ed"
TRY, EXPORT, SHOW = "try", "x", "v"
WALK = "t"  # followed by the choices so far: "t", "t0", "t01", …
MAX_CHOICES = 9  # options per decision point: one digit each
LISTED_BUTTONS = 10


def _button(text: str, action: str, flow_id: int, version: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=CallbackKey(KIND, action, flow_id, version).encode()
    )


def card_keyboard(
    flow_id: int, version: int, *, draft: bool, exported: int | None
) -> InlineKeyboardMarkup:
    """The card's buttons: ✅ Approve and ❌ Reject while this version is a draft (a decided
    one keeps only what still makes sense: trying it, a new version), and the export of
    the approved version (`exported`) once there is one, even under a newer draft or a
    rejected version."""
    rows = [[_button("▶️ Try it", TRY, flow_id, version)]]
    if draft:
        rows.insert(0, [_button("✅ Approve", APPROVE, flow_id, version),
                        _button("❌ Reject", REJECT, flow_id, version)])  # fmt: skip
    rows.append([_button("🔄 Regenerate", REGENERATE, flow_id, version),
                 _button("✏️ Edit description", EDIT, flow_id, version)])  # fmt: skip
    if exported is not None:
        rows.append([_button(f"⬇️ Export JSON (v{exported})", EXPORT, flow_id, exported)])
    return InlineKeyboardMarkup(rows)


def walk_action(choices: str) -> str:
    return WALK + choices


def choices_of(action: str) -> str | None:
    """The choices a walk button carries, or None when the action is not a walk step."""
    if not action.startswith(WALK) or action == TRY:
        return None
    digits = action[len(WALK) :]
    return digits if digits.isdigit() or digits == "" else None


def walk_keyboard(
    flow_id: int, version: int, choices: str, options: Sequence[str]
) -> InlineKeyboardMarkup:
    """One button per thing the customer can do here, then ↩️ Start over."""
    rows = [
        [_button(label, walk_action(choices + str(i)), flow_id, version)]
        for i, label in enumerate(options[:MAX_CHOICES])
    ]
    rows.append([_button("↩️ Start over", walk_action(""), flow_id, version)])
    return InlineKeyboardMarkup(rows)


def walk_over_keyboard(flow_id: int, version: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("↩️ Try again", walk_action(""), flow_id, version)]])


def list_keyboard(rows: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    """One button per listed flow, opening its card (version 0: whatever is current)."""
    buttons = [[_button(label, SHOW, flow_id, 0)] for flow_id, label in rows[:LISTED_BUTTONS]]
    return InlineKeyboardMarkup(buttons) if buttons else None

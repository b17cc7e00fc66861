"""Buttons of the /campaign conversation. callback_data is `cmp:<action>:<id>:<revision>`.

Step buttons carry the step number and preview buttons the plan's revision, so a button
left on an older message can't act on a step or a plan that has moved on.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.personas.views import PersonaView
from handlers.campaign.steps import Step
from handlers.common.keyboards import CallbackKey

KIND = "cmp"
PERSONA_STEP = 1


def _button(text: str, action: str, item: int = 0, revision: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=CallbackKey(KIND, action, item, revision).encode()
    )


def personas_keyboard(personas: tuple[PersonaView, ...]) -> InlineKeyboardMarkup:
    rows = [[_button(p.name[:60], "pick", p.id, PERSONA_STEP)] for p in personas]
    return InlineKeyboardMarkup(rows)


def step_keyboard(step: Step) -> InlineKeyboardMarkup | None:
    buttons = [_button(label, "opt", i, step.number) for i, (label, _) in enumerate(step.options)]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    if step.own is not None:
        rows.append([_button("✍️ Type your own", "own", 0, step.number)])
    return InlineKeyboardMarkup(rows) if rows else None


def dates_check_keyboard(revision: int) -> InlineKeyboardMarkup:
    """Under the echo of the dates read (handlers/campaign_date_step.py)."""
    return InlineKeyboardMarkup(
        [[_button("✅ Yes", "dy", 0, revision), _button("✏️ Retype", "dr", 0, revision)]]
    )


def date_choices_keyboard(labels: list[str], revision: int) -> InlineKeyboardMarkup:
    """The common ranges offered after two failed tries; a label shows its dates."""
    buttons = [_button(label, "dc", index, revision) for index, label in enumerate(labels)]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def retry_keyboard(run: int) -> InlineKeyboardMarkup:
    """Carries the failed run's id: a second tap finds a newer run and does nothing."""
    return InlineKeyboardMarkup([[_button("🔁 Retry", "retry", run)]])


def summary_keyboard(revision: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button("✅ Create campaign", "ok", 0, revision)],
            [
                _button("🔄 Re-plan", "re", 0, revision),
                _button("🔢 Number of posts", "cnt", 0, revision),
                _button("📅 Dates", "dt", 0, revision),
            ],
            [_button("✖️ Cancel", "x", 0, revision)],
        ]
    )


def detail_keyboard(index: int, total: int, revision: int) -> InlineKeyboardMarkup:
    rows = []
    if total > 1:
        # Paging wraps around, so both arrows always work.
        rows.append(
            [
                _button("◀", "pg", (index - 1) % total, revision),
                _button(f"{index + 1} / {total}", "pg", index, revision),
                _button("▶", "pg", (index + 1) % total, revision),
            ]
        )
    rows.append(
        [_button("✏️ Caption", "cap", index, revision), _button("🕒 Time", "time", index, revision)]
    )
    return InlineKeyboardMarkup(rows)

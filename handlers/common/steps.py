"""A conversation's steps as data, and the tap on one of a step's options.

/campaign and /sequence ask one question a step; a step may offer buttons whose value
counts as if typed. A button carries the step's number as its revision, so a tap on an
earlier step's buttons (the person has moved on, or started again) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from telegram import CallbackQuery

from core.conversations import Conversation
from handlers.common.context import BotContext
from handlers.common.dialog import Who, load
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse


class StepInputError(ValueError):
    """The answer can't be used; the message says what to send instead."""


@dataclass(frozen=True)
class Step:
    state: str
    number: int  # "step 3 of 6"; buttons carry it, so an old step's button does nothing
    label: str  # what the answer is called once given: "Tone: warm ✓"
    question: str
    options: tuple[tuple[str, str], ...] = ()  # (button label, value as if typed)
    own: str | None = None  # "type your own" invites this kind of answer

    def option(self, index: int) -> tuple[str, str] | None:
        return self.options[index] if 0 <= index < len(self.options) else None


@dataclass(frozen=True)
class Picked:
    """An option tapped on the step the person is at."""

    state: Conversation
    step: Step
    label: str
    value: str


async def tapped_option(
    query: CallbackQuery,
    context: BotContext,
    who: Who,
    key: CallbackKey,
    steps: Mapping[str, Step],
    step_over: str,
) -> Picked | None:
    """The option tapped, or None once the tap is refused with `step_over` (stale)."""
    state = await load(context, who)
    step = steps.get(state.state) if state is not None else None
    option = step.option(key.item_id) if step is not None else None
    if state is None or step is None or option is None or step.number != key.revision:
        await refuse(query, context, "stale", step_over)
        return None
    return Picked(state, step, *option)

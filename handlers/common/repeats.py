"""The near-repeat line and "👀 See earlier" button every review card can carry.

A card asks core (context.services.repeats, core/memory/repeats.py) once when it is drawn;
with a match it says "⚠️ 84 % similar to the post of 3 Oct" above its note, and a button
`mem:<kind>:<id>:0` has the earlier item's words sent (handlers/memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.memory.repeats import Key, warning_line
from core.memory.types import Match
from domain.memory import MemoryKind
from handlers.common.context import BotContext
from handlers.common.keyboards import CallbackKey

KIND = "mem"
SEE_EARLIER = "👀 See earlier"


async def repeat_of(
    context: BotContext,
    kind: MemoryKind,
    item_id: int,
    text: str | None,
    *,
    persona_id: int | None = None,
    origins: Sequence[Key] = (),
) -> Match | None:
    """The card's near-repeat, if any (None while memory is off)."""
    if not text:
        return None
    repeats = context.services.repeats
    return await repeats.check(kind, item_id, text, persona_id=persona_id, origins=origins)


def with_warning(note: str, match: Match | None) -> str:
    """The card's note (HTML) with the warning line on top."""
    if match is None:
        return note
    line = escape(warning_line(match))
    return f"{line}\n{note}" if note else line


def with_button(
    markup: InlineKeyboardMarkup | None, match: Match | None
) -> InlineKeyboardMarkup | None:
    """The card's buttons with "👀 See earlier" under them (only on a card with buttons)."""
    if match is None or markup is None:
        return markup
    item = match.item
    data = CallbackKey(KIND, item.kind.value, item.item_id, 0).encode()
    row = [InlineKeyboardButton(SEE_EARLIER, callback_data=data)]
    return InlineKeyboardMarkup([*[list(r) for r in markup.inline_keyboard], row])

"""/approve is one queue: other features add their own section of waiting items to it.

A feature registers a section in its `register(app)`; /approve shows suggestions and posts
first, then each section in the order registered. "Nothing is waiting" is said only when
every part is empty. The review feature never imports the others: they come to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.common.context import BotApplication, BotContext
from handlers.common.dialog import Who

KEY = "review_sections"


@dataclass(frozen=True)
class ReviewSection:
    """`waiting` counts the items waiting; `show` sends their header and cards to `who`."""

    name: str
    waiting: Callable[[BotContext], Awaitable[int]]
    show: Callable[[BotContext, Who], Awaitable[None]]


def add_section(app: BotApplication, section: ReviewSection) -> None:
    sections: list[ReviewSection] = app.bot_data.setdefault(KEY, [])
    if any(known.name == section.name for known in sections):
        raise ValueError(f"two review sections are named {section.name!r}")
    sections.append(section)


def sections_of(context: BotContext) -> list[ReviewSection]:
    return list(context.application.bot_data.get(KEY, []))

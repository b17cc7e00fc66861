"""/approve is one queue: a feature's own section shows after suggestions and posts."""

from __future__ import annotations

import pytest

from handlers.common.context import BotContext
from handlers.common.dialog import Who, send
from handlers.common.review_sections import ReviewSection, add_section
from tests.e2e.harness import Harness


def _section(name: str, waiting: list[str]) -> ReviewSection:
    async def count(context: BotContext) -> int:
        return len(waiting)

    async def show(context: BotContext, who: Who) -> None:
        await send(context, who, f"<b>{name}</b>: " + ", ".join(waiting))

    return ReviewSection(name, count, show)


async def test_a_section_with_items_shows_and_nothing_waiting_is_not_said(
    harness: Harness,
) -> None:
    add_section(harness.bot.application, _section("Emails", ["reply to Ann"]))
    add_section(harness.bot.application, _section("Empty", []))
    harness.send("/approve")
    card = await harness.said("Emails", unless="Nothing is waiting")
    assert "reply to Ann" in str(card.params["text"])
    harness.send("/help")  # handled after /approve in this chat: /approve is done by then
    await harness.said("/approve")
    texts = [str(c.params.get("text", "")) for c in harness.api.calls if c.method == "sendMessage"]
    assert not any("Empty" in text for text in texts)


async def test_with_every_section_empty_the_queue_says_nothing_is_waiting(
    harness: Harness,
) -> None:
    add_section(harness.bot.application, _section("Emails", []))
    harness.send("/approve")
    await harness.said("Nothing is waiting for review")


async def test_two_sections_may_not_share_a_name(harness: Harness) -> None:
    add_section(harness.bot.application, _section("Emails", []))
    with pytest.raises(ValueError, match="Emails"):
        add_section(harness.bot.application, _section("Emails", []))

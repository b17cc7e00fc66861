"""The on_published hooks chained: memory and the cards both run, one failing stops
neither the other nor the publishing sweep."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from core.publishing.cards import chained


async def test_a_failing_hook_neither_stops_the_next_nor_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[tuple[str, int]] = []

    async def cards(post_id: int, _at: datetime) -> None:
        ran.append(("cards", post_id))
        raise RuntimeError("Bad Request: message can't be edited")

    async def memory(post_id: int, _at: datetime) -> None:
        ran.append(("memory", post_id))

    with caplog.at_level(logging.ERROR, logger="core.publishing.cards"):
        await chained(cards, memory)(7, datetime.now(UTC))
    assert ran == [("cards", 7), ("memory", 7)]
    assert "an on_published hook failed" in caplog.text

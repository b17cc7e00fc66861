"""Sequence emails in /approve warn of a near-repeat of an approved email (the real writer
against the model double, on a clock the test moves), with 👀 See earlier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, Harness, make_settings, running
from tests.e2e.sequence_support import DAILY_TIPS, email_answer, monday_clock
from tests.memory_product.conftest import embedding_by_hand


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    clock: MutableClock = monday_clock()
    settings = make_settings(telegram_api, llm_server, tmp_path, memory_enabled=True)
    async with running(telegram_api, llm_server, settings, clock=clock) as bot:
        yield embedding_by_hand(bot)


async def test_the_second_email_warns_of_the_approved_first(harness: Harness) -> None:
    services = harness.bot.services
    await services.sequences.create(DAILY_TIPS, actor="api")
    harness.llm.reply(email_answer(1))
    harness.llm.reply(email_answer(2))  # the same story, part 2: nearly the same words
    assert await services.sequence_writer.write_due() == 2
    first, second = (await services.sequence_review.pending_review())[:2]
    await services.sequence_review.approve(first.id, first.revision, ADMIN)
    assert await services.memory.embed_pending() == 1

    harness.send("/approve")
    card = await harness.said("📧 Daily tips · email #2")
    assert "% similar to sequence email #1 of Daily tips" in card.params["text"]
    keys = buttons(card)
    assert keys["👀 See earlier"] == f"mem:sequence_email:{first.id}:0"
    harness.tap(harness.message_id_of(card), keys["👀 See earlier"])
    earlier = await harness.said("Sequence email #1 of Daily tips")
    assert "Here is part 1 of our launch story" in earlier.params["text"]
    assert second.number == 2

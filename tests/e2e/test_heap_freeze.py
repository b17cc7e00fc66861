"""Once litellm is imported, the start-up heap is frozen out of the cycle collector."""

from __future__ import annotations

import asyncio
import gc

from tests.doubles.fake_llm import suggestion_answer
from tests.e2e.harness import Harness


async def _warm_up_done() -> None:
    """The runner's warm-up task freezes the heap when it ends; wait for it if it runs."""
    for task in asyncio.all_tasks():
        if task.get_name() == "llm-warm-up":
            await task


async def test_the_warm_heap_is_frozen_while_running_and_unfrozen_on_stop(
    harness: Harness,
) -> None:
    harness.llm.reply(suggestion_answer())
    harness.send("/suggest")
    await harness.said("Suggestion #1")  # litellm is imported by now
    # litellm alone is hundreds of thousands of objects, which a full collection no
    # longer walks while the bot runs.
    await _warm_up_done()
    assert gc.get_freeze_count() > 100_000
    await harness.bot.stop()
    assert gc.get_freeze_count() == 0

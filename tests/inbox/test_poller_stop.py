"""stop() ends the poller even when a poll swallowed the cancellation.

Python 3.11's `asyncio.wait_for`, which aioimaplib wraps every command in, returns the
inner result and drops a cancellation that arrives just as that result does. A poller
that stopped only by cancellation then polled on, and the bot's stop waited for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

from core.emaildesk.inbox import InboxReader, PollResult
from core.emaildesk.inbox_poller import InboxAlert, InboxPoller


class SwallowingReader:
    """Every poll takes a moment and, like the race, drops a cancellation that hits it."""

    def __init__(self) -> None:
        self.polls = 0
        self.started = asyncio.Event()

    async def poll(self) -> PollResult:
        self.polls += 1
        self.started.set()
        # What wait_for does when the inner call finished at the same moment:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.05)
        return PollResult()


async def _no_alert(alert: InboxAlert) -> None:
    raise AssertionError(f"no problem was expected, got {alert}")


async def test_stop_returns_although_the_poll_swallowed_the_cancellation() -> None:
    fake = SwallowingReader()
    poller = InboxPoller(cast(InboxReader, fake), interval_s=0.01, alert=_no_alert)
    poller.start()
    await fake.started.wait()

    async with asyncio.timeout(5):
        await poller.stop()
    polls = fake.polls
    await asyncio.sleep(0.2)
    assert fake.polls == polls  # nothing polls after stop() returned


async def test_a_stopped_poller_can_start_again() -> None:
    fake = SwallowingReader()
    poller = InboxPoller(cast(InboxReader, fake), interval_s=0.01, alert=_no_alert)
    poller.start()
    await fake.started.wait()
    async with asyncio.timeout(5):
        await poller.stop()
    fake.started.clear()
    poller.start()
    async with asyncio.timeout(5):
        await fake.started.wait()
        await poller.stop()

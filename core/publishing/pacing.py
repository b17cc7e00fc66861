"""This replica's pace: a steady rate, a few sends at once, and a pause after a 429.

The per-target spacing all replicas share lives in the database (publish_pacing); this
gate keeps one process under the overall rate, and holds back a target Telegram told
to slow down for as long as it said.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Sleep = Callable[[float], Awaitable[None]]


class Gate:
    def __init__(
        self,
        rate_per_s: float,
        max_in_flight: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate_per_s
        self._slots = asyncio.Semaphore(max_in_flight)
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_free = 0.0
        self._paused_until: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, target_key: str) -> AsyncIterator[None]:
        """Wait for this target's pause to end and for a rate slot; hold a send slot."""
        async with self._slots:
            await self._wait_pause(target_key)
            await self._wait_rate()
            yield

    def pause(self, target_key: str, seconds: float) -> None:
        until = self._monotonic() + seconds
        self._paused_until[target_key] = max(self._paused_until.get(target_key, 0.0), until)

    async def _wait_pause(self, target_key: str) -> None:
        while (left := self._paused_until.get(target_key, 0.0) - self._monotonic()) > 0:
            await self._sleep(left)
        self._paused_until.pop(target_key, None)  # forgotten once over: memory stays flat

    async def _wait_rate(self) -> None:
        now = self._monotonic()
        at = max(now, self._next_free)
        self._next_free = at + self._interval
        if at > now:
            await self._sleep(at - now)

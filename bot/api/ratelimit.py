"""A fixed-window request counter in the database, shared by every replica.

One atomic upsert per request (INSERT ... ON CONFLICT DO UPDATE ... RETURNING count).
A fixed window lets a client send up to twice the limit across a window boundary; for a
limit that protects the database and the LLM budget that is close enough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from storage.repos import api as repo


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after_s: int


class DbRateLimiter:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        limit: int,
        window_s: int = 60,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self.limit = limit
        self._window_s = window_s

    async def hit(self, subject: str) -> Decision:
        now = self._clock.now().timestamp()
        start = int(now // self._window_s) * self._window_s
        async with self._sessions.begin() as session:
            count = await repo.count_hit(session, subject, start)
            if count == 1:
                # First request of a new window: the subject's old windows are done with.
                await repo.drop_windows_before(session, subject, start)
        retry_after = max(1, math.ceil(start + self._window_s - now))
        return Decision(count <= self.limit, max(0, self.limit - count), retry_after)

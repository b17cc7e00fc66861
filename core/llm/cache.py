"""A short-lived response cache: the same question within the TTL costs nothing.

Only validated answers are stored, so a hit never needs a provider call.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from storage.repos import llm as repo


def cache_key(
    model: str,
    messages: list[dict[str, str]],
    schema_text: str,
    temperature: float | None,
    max_tokens: int | None,
) -> str:
    material = {
        "model": model,
        "messages": messages,
        "schema": schema_text,
        "temperature": temperature,
        "max_tokens": max_tokens,
    }
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ResponseCache:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, ttl_s: int
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_s)

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    async def get(self, key: str) -> repo.CachedOutput | None:
        if not self.enabled:
            return None
        async with self._sessions() as session:
            return await repo.get_cached(session, key, self._clock.now())

    async def put(self, key: str, model: str, output: str) -> None:
        if not self.enabled:
            return
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            # Dropping expired rows on the way keeps the table at roughly one TTL of answers.
            await repo.purge_expired_cache(session, now)
            await repo.put_cached(session, key, model, output, now, now + self._ttl)

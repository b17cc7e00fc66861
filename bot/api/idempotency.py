"""Idempotency-Key: a retry gets the first response, status and body, and changes nothing.

The key is claimed in its own transaction before the work starts, so two concurrent
requests with one key run the work once (the second is told to retry: 409). A finished
response is kept for API_IDEMPOTENCY_TTL_HOURS. The same key with a different request is
refused with 422. A request that failed with a 5xx or an exception releases its key, so
the client's retry runs again; a claim left behind by a crashed replica is taken over
after STALE_AFTER.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api.replies import Reply, error, invalid
from core.clock import Clock
from storage.repos import api as repo

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
STALE_AFTER = timedelta(minutes=5)
_ATTEMPTS = 3


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The same JSON with other spacing or key order is the same request."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        payload = canonical.encode()
    except ValueError:
        payload = body
    return hashlib.sha256(f"{method} {path}\n".encode() + payload).hexdigest()


def key_problem(key: str) -> Reply | None:
    if 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable():
        return None
    return invalid([f"{HEADER}: must be 1-{MAX_KEY_LENGTH} printable ASCII characters"])


class IdempotencyStore:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], clock: Clock, *, ttl: timedelta
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._ttl = ttl

    async def run(self, key: str, print_: str, work: Callable[[], Awaitable[Reply]]) -> Reply:
        earlier = await self._claim(key, print_)
        if earlier is not None:
            return earlier
        try:
            reply = await work()
        except BaseException:
            await self._release(key)
            raise
        await (self._release(key) if reply.status >= 500 else self._complete(key, reply))
        return reply

    async def purge(self) -> int:
        """Delete keys past their time to live (for a periodic housekeeping job)."""
        async with self._sessions.begin() as session:
            return await repo.purge_keys_before(session, self._clock.now() - self._ttl)

    async def _claim(self, key: str, print_: str) -> Reply | None:
        """None when this request now owns the key; else the reply to send instead."""
        for _ in range(_ATTEMPTS):
            now = self._clock.now()
            async with self._sessions.begin() as session:
                if await repo.claim_key(session, key, print_, now):
                    return None
                stored = await repo.get_key(session, key)
            if stored is None:
                continue  # released meanwhile: claim again
            if not self._reusable(stored, now):
                return _answer(stored, print_)
            async with self._sessions.begin() as session:
                taken = await repo.take_over_key(
                    session, key, seen_created_at=stored.created_at, fingerprint=print_, at=now
                )
            if taken:
                return None
        return _busy()

    def _reusable(self, stored: repo.StoredKey, now: datetime) -> bool:
        age = now - stored.created_at
        return age > self._ttl or (stored.status is None and age > STALE_AFTER)

    async def _complete(self, key: str, reply: Reply) -> None:
        async with self._sessions.begin() as session:
            await repo.complete_key(session, key, status=reply.status, response=reply.body)

    async def _release(self, key: str) -> None:
        async with self._sessions.begin() as session:
            await repo.release_key(session, key)


def _answer(stored: repo.StoredKey, print_: str) -> Reply:
    if stored.fingerprint != print_:
        return invalid(
            [f"{HEADER}: this key was used for a different request; send a new key with it"]
        )
    if stored.status is None or stored.response is None:
        return _busy()
    return Reply(stored.status, stored.response, {REPLAYED: "true"})


def _busy() -> Reply:
    message = f"A request with this {HEADER} is still being processed; retry shortly."
    return error(409, message, **{"Retry-After": "1"})

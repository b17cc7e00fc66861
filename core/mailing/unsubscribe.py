"""Unsubscribe links: an unguessable token per email sent, and what a visit to it does.

The token (32 URL-safe characters, 192 random bits) goes into the email's
List-Unsubscribe header and footer; only its SHA-256 is stored, on the delivery, so a
database leak gives nobody working links. Unsubscribing suppresses the address for
every sequence, and cancels its deliveries not yet begun.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from domain.mailing import SuppressionReason
from storage.repos import suppressions as repo

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> tuple[str, str]:
    """A fresh token and its hash (the hash is what is stored)."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token}"


@dataclass(frozen=True)
class Subscription:
    address: str
    unsubscribed: bool  # already (or now) suppressed


class Unsubscribes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions, self._clock = sessions, clock

    async def lookup(self, token: str) -> Subscription | None:
        """Whose link this is, and whether it is unsubscribed; None for an unknown token."""
        if not _TOKEN.match(token):
            return None
        async with self._sessions() as session:
            address = await repo.address_for(session, token_hash(token))
            if address is None:
                return None
            return Subscription(address, await repo.is_suppressed(session, address))

    async def unsubscribe(self, token: str, *, source: str) -> Subscription | None:
        """Suppress the token's address (idempotent); None for an unknown token."""
        if not _TOKEN.match(token):
            return None
        async with self._sessions.begin() as session:
            address = await repo.address_for(session, token_hash(token))
            if address is None:
                return None
            await repo.suppress(
                session, address, reason=SuppressionReason.UNSUBSCRIBED, source=source,
                now=self._clock.now(),
            )  # fmt: skip
        return Subscription(address, True)

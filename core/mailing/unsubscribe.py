"""Unsubscribe links: one unguessable token per address, and what a visit to it does.

The token (32 URL-safe characters, 192 random bits) goes into the List-Unsubscribe
header and footer of every sequence email the address ever gets, so any old email's
link keeps working: after "Send again", in another sequence's email, after a sequence
is deleted. It is made the first time the address is mailed and kept (why it is stored
as it is: storage.models.deliveries.UnsubscribeToken). Unsubscribing suppresses the
address for every sequence, and cancels its deliveries not yet begun.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from domain.mailing import SuppressionReason
from storage.repos import suppressions as repo

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


async def tokens_for(
    session: AsyncSession, addresses: Iterable[str], *, now: datetime
) -> dict[str, str]:
    """The token of each address, made (and kept) for one that has none yet."""
    return await repo.tokens_for(session, {a: new_token() for a in addresses}, now=now)


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
            address = await repo.address_for(session, token)
            if address is None:
                return None
            return Subscription(address, await repo.is_suppressed(session, address))

    async def unsubscribe(self, token: str, *, source: str) -> Subscription | None:
        """Suppress the token's address (idempotent); None for an unknown token."""
        if not _TOKEN.match(token):
            return None
        async with self._sessions.begin() as session:
            address = await repo.address_for(session, token)
            if address is None:
                return None
            await repo.suppress(
                session, address, reason=SuppressionReason.UNSUBSCRIBED, source=source,
                now=self._clock.now(),
            )  # fmt: skip
        return Subscription(address, True)

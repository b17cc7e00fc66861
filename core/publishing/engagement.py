"""Engagement: the reactions Telegram counts on the posts published to a channel.

When the bot is an admin of the channel, Telegram sends `message_reaction_count` updates:
the totals per reaction on one message, at a moment (anonymous, so no user). The handler
(handlers/engagement) turns one into `ReactionReport`; this finds the published post that
message belongs to, keeps the latest totals per message (a snapshot replaces the last one,
never adds to it), and gives the post's sum to semantic memory as its engagement, which
`MemoryService.best_accepted` ranks the prompts' examples by. The post's outcome in memory
stays what it was: a reaction is not a decision.

Reports from other chats, or for messages that are not published posts, change nothing.
Nothing here raises into the update loop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.memory.link import MemoryLink
from domain.memory import MemoryKind
from storage.repos import engagement as repo

log = logging.getLogger(__name__)

TELEGRAM = "telegram:"


@dataclass(frozen=True)
class ReactionReport:
    """Telegram's counts on one message: reaction ("👍", "custom:<id>", "paid") to total."""

    chat_id: int
    chat_username: str | None
    message_id: int
    at: datetime
    counts: Mapping[str, int]


@dataclass(frozen=True)
class PostEngagement:
    post_id: int
    reactions: int  # over all the post's messages


def is_chat(address: str, chat_id: int, username: str | None) -> bool:
    """Whether a target's address ("@name" or a numeric id) names this chat."""
    if address.startswith("@"):
        return username is not None and address[1:].lower() == username.lower()
    try:
        return int(address) == chat_id
    except ValueError:
        return False


class EngagementService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        memory: MemoryLink,
        *,
        default_chat: str | None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._memory = memory
        self._default_chat = default_chat  # PUBLISH_CHAT_ID: where target None goes

    async def record(self, report: ReactionReport) -> PostEngagement | None:
        """Store the counts of a published post's message; None when the message is no
        published post of ours (or the store failed: logged, never raised)."""
        try:
            return await self._record(report)
        except Exception:
            log.exception(
                "engagement: could not record reactions",
                extra={"chat_id": report.chat_id, "message_id": report.message_id},
            )
            return None

    async def _record(self, report: ReactionReport) -> PostEngagement | None:
        async with self._sessions.begin() as session:
            post_id = await self._post_of(session, report)
            if post_id is None:
                log.debug(
                    "engagement: reactions on a message that is no published post of ours",
                    extra={"chat_id": report.chat_id, "message_id": report.message_id},
                )
                return None
            counts = repo.Reactions(
                post_id, report.message_id, report.chat_id, report.counts, report.at
            )
            await repo.save(session, counts, now=self._clock.now())
            total = await repo.post_reactions(session, post_id)
            if self._memory.memory is not None:  # memory off: the counts alone are kept
                engagement = {"reactions": float(total)}
                await repo.set_memory_engagement(
                    session, MemoryKind.POST.value, post_id, engagement
                )
        return PostEngagement(post_id, total)

    async def _post_of(self, session: AsyncSession, report: ReactionReport) -> int | None:
        for sent in await repo.sent_as(session, report.message_id):
            target = sent.target if sent.target is not None else self._default_target()
            if target is None or not target.startswith(TELEGRAM):
                continue
            if is_chat(target.removeprefix(TELEGRAM), report.chat_id, report.chat_username):
                return sent.post_id
        return None

    def _default_target(self) -> str | None:
        return f"{TELEGRAM}{self._default_chat}" if self._default_chat else None

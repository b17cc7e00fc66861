"""One claimed post, from its paced slot to published, failed or unknown.

The failure policy lives here:
- 429: wait as long as the destination says, then try again (bounded, then failed);
- a transient error (nothing delivered): retry with backoff N times, then failed;
- an unknown outcome (a read timeout, parts already out): `unknown` for a human;
- a refusal: failed at once.
Each failed, unknown or missed post owes the admins an alert, sent from the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.publishing.errors import (
    OutcomeUnknown,
    PublishError,
    PublishRejected,
    RateLimited,
    TransientError,
)
from core.publishing.pacing import Gate, Sleep
from core.publishing.policy import CLOCK_SKEW, PublishPolicy
from core.publishing.types import ImageRef, Progress, Publication, Publishers, Target
from domain.statuses import PostStatus
from storage.repos import publishing_sends as repo
from storage.repos.publishing import Claim
from storage.repos.publishing_sends import SendRow

log = logging.getLogger(__name__)

Published = Callable[[int, datetime], Awaitable[None]]

NO_DESTINATION = (
    "There is nowhere to publish it: set PUBLISH_CHAT_ID (a Telegram channel) or "
    "PUBLISH_WEBHOOK_URL, then retry."
)


@dataclass
class SendContext:
    """What every send job of one dispatcher shares."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    policy: PublishPolicy
    publishers: Publishers
    gate: Gate
    worker: str
    default_target: Target | None
    image_root: Path
    on_alert: Callable[[], Awaitable[object]]
    sleep: Sleep = asyncio.sleep
    mirror: bool = False  # a post published to a Telegram channel is owed to the webhook too
    # Told of each post once it is recorded as published (semantic memory); never raises.
    on_published: Published | None = None

    def target_key(self, own: str | None) -> str:
        return own or (self.default_target.key if self.default_target else "none")


@dataclass
class _Tries:
    progress: Progress = field(default_factory=Progress)
    failures: int = 0
    waits: int = 0
    target: Target | None = None  # where the last attempt went


class SendJob:
    def __init__(self, ctx: SendContext, claim: Claim) -> None:
        self._ctx = ctx
        self._claim = claim
        self.sending = False  # a request may be on the wire: not to be cancelled

    @property
    def post_id(self) -> int:
        return self._claim.post_id

    async def run(self) -> None:
        await self._sleep_until(self._claim.send_after)
        tries = _Tries()
        while (delay := await self._attempt(tries)) is not None:
            await self._ctx.sleep(delay)

    async def _sleep_until(self, at: datetime) -> None:
        delay = (at - self._ctx.clock.now()).total_seconds()
        if delay > 0:
            await self._ctx.sleep(delay)

    async def _attempt(self, tries: _Tries) -> float | None:
        """One try; the delay before the next one, or None when this job is done."""
        key = self._ctx.target_key(self._claim.target)
        async with self._ctx.gate.turn(key):
            row = await self._begin(resume=bool(tries.progress.sent))
            if row is None:
                log.info("claim lost or post withdrawn; not sent", extra={"post_id": self.post_id})
                return None
            self.sending = True
            try:
                await self._publish(row, tries)
            except PublishError as error:
                return await self._after_failure(error, tries, key)
            except Exception as error:  # a bug mid-send: what went out is unknowable
                log.exception("publisher crashed", extra={"post_id": self.post_id})
                unknown = OutcomeUnknown(f"Internal error while sending ({type(error).__name__}).")
                return await self._after_failure(unknown, tries, key)
            finally:
                self.sending = False
        await self._complete(tries)
        return None

    async def _begin(self, *, resume: bool) -> SendRow | None:
        ctx, now = self._ctx, self._ctx.clock.now()
        async with ctx.sessions.begin() as session:
            return await repo.begin_send(
                session, self.post_id, worker=ctx.worker, now=now, valid_after=now + CLOCK_SKEW,
                lease_until=now + ctx.policy.send_lease, resume=resume,
            )  # fmt: skip

    async def _publish(self, row: SendRow, tries: _Tries) -> None:
        publication = self._publication(row)
        tries.target = publication.target
        publisher = self._ctx.publishers.for_target(publication.target)
        await publisher.publish(publication, tries.progress)

    def _publication(self, row: SendRow) -> Publication:
        try:
            target = Target.parse(row.target) if row.target else self._ctx.default_target
        except ValueError as error:
            raise PublishRejected(str(error).capitalize() + ".") from None
        if target is None:
            raise PublishRejected(NO_DESTINATION)
        image = None
        if row.image_file_id or row.image_path:
            path = self._ctx.image_root / row.image_path if row.image_path else None
            image = ImageRef(row.image_file_id, path)
        return Publication(
            row.post_id, target, row.title, row.caption, row.hashtags, row.format,
            row.scheduled_at, image,
        )  # fmt: skip

    async def _after_failure(self, error: PublishError, tries: _Tries, key: str) -> float | None:
        policy = self._ctx.policy
        if isinstance(error, RateLimited) and tries.waits < policy.max_rate_limit_waits:
            tries.waits += 1
            self._ctx.gate.pause(key, error.retry_after_s)
            return await self._retry(error, error.retry_after_s, tries)
        if isinstance(error, TransientError) and tries.failures < policy.retries:
            tries.failures += 1
            return await self._retry(error, policy.backoff(tries.failures), tries)
        await self._give_up(error, tries)
        return None

    async def _retry(self, error: PublishError, delay: float, tries: _Tries) -> float | None:
        ctx = self._ctx
        wait = timedelta(seconds=delay)
        lease_until = ctx.clock.now() + wait + ctx.policy.lease + ctx.policy.send_lease
        log.warning("send failed, retrying in %.1f s: %s", delay, error,
                    extra={"post_id": self.post_id})  # fmt: skip
        async with ctx.sessions.begin() as session:
            kept = await repo.retry_later(
                session, self.post_id, worker=ctx.worker, lease_until=lease_until,
                error=str(error), sent_ids=tries.progress.sent,
            )  # fmt: skip
        return delay if kept else None

    async def _give_up(self, error: PublishError, tries: _Tries) -> None:
        sent = tries.progress.sent
        unknown = isinstance(error, OutcomeUnknown) or bool(sent)
        reason = _reason(error, tries)
        log.error("publishing gave up: %s", reason, extra={"post_id": self.post_id})
        ctx = self._ctx
        async with ctx.sessions.begin() as session:
            await repo.give_up(
                session, self.post_id, worker=ctx.worker, now=ctx.clock.now(),
                to=PostStatus.UNKNOWN if unknown else PostStatus.FAILED,
                error=reason, sent_ids=sent,
                actor=f"dispatcher:{ctx.worker}",
            )  # fmt: skip
        await ctx.on_alert()

    async def _complete(self, tries: _Tries) -> None:
        """Record the success; a database hiccup is retried, since the post is out."""
        ctx, progress = self._ctx, tries.progress
        target = tries.target
        mirror_to = target.key if ctx.mirror and target and target.kind == "telegram" else None
        for attempt in range(3):
            try:
                now = ctx.clock.now()
                async with ctx.sessions.begin() as session:
                    done = await repo.complete(
                        session, self.post_id, worker=ctx.worker, now=now,
                        sent_ids=progress.sent, actor=f"dispatcher:{ctx.worker}",
                        mirror_to=mirror_to,
                    )  # fmt: skip
                if done and ctx.on_published is not None:
                    await ctx.on_published(self.post_id, now)
                return
            except SQLAlchemyError:
                log.exception("could not record a published post", extra={"post_id": self.post_id})
                await ctx.sleep(1.0 + attempt)
        # The lease runs out and recovery calls it unknown: a human confirms, nothing is resent.


def _reason(error: PublishError, tries: _Tries) -> str:
    text = str(error)
    if tries.progress.sent:
        return f"{len(tries.progress.sent)} part(s) went out, then: {text}"
    if isinstance(error, TransientError) and tries.failures:
        return f"{text} (tried {tries.failures + 1} times)"
    if isinstance(error, RateLimited):
        return f"{text} (it kept asking to wait, {tries.waits} times)"
    return text

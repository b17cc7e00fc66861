"""Mirrors: a post published to a Telegram channel also goes to the outgoing webhook.

On when both PUBLISH_CHAT_ID and PUBLISH_WEBHOOK_URL are set, so Make, n8n, Zapier or
Buffer carry each channel post on to other networks. The mirror is an outbox row written
in the transaction that marks the post published (storage.repos.publishing_mirrors).
Each sweep claims the due ones with a lease and sends each in a task of its own: a slow
or failing webhook never holds up a sweep, and never touches the channel post.

Delivery is at least once, always with the same `webhook-id` (`msg_post-<id>-published`),
so a receiver that deduplicates, as Standard Webhooks asks, sees each post once. Policy:
2xx sent; 429 waits its Retry-After; no connection, a timeout, 408 or 5xx back off
(PUBLISH_BACKOFF_S·2ⁿ); each is an attempt, and after PUBLISH_RETRIES retries the mirror
is failed with an alert. Any other 4xx fails at once, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.posts.views import iso
from core.publishing.errors import PublishError, PublishRejected, RateLimited, TransientError
from core.publishing.mirror_alerts import MirrorAlertOutbox
from core.publishing.policy import PublishPolicy
from core.publishing.webhook import post_text
from storage.repos import publishing_mirrors as repo
from storage.repos.publishing_mirrors import MirrorRow

log = logging.getLogger(__name__)

EVENT_TYPE = "post.published"


class EventSender(Protocol):
    async def send_event(self, msg_id: str, event_type: str, data: dict[str, Any]) -> str:
        """POST one signed event; the receiver's id for it. Raises a PublishError."""
        ...


def mirror_id(post_id: int) -> str:
    """The webhook-id of a post's mirror: the same on every attempt, never another post's."""
    return f"msg_post-{post_id}-published"


def mirror_data(row: MirrorRow) -> dict[str, Any]:
    """What went out: the fields of `post.publish`, plus where it went and when."""
    chat = row.channel.removeprefix("telegram:")
    ids: list[int | str] = [int(i) if i.isdigit() else i for i in row.message_ids]
    image = {"telegram_file_id": row.image_file_id, "path": row.image_path}
    return {
        "post_id": row.post_id,
        "title": row.title,
        "caption": row.caption,
        "hashtags": list(row.hashtags),
        "text": post_text(row.caption, row.hashtags),
        "format": row.format,
        "scheduled_at": iso(row.scheduled_at),
        "telegram_file_id": row.image_file_id,
        "image": image if row.image_file_id or row.image_path else None,
        "published_at": iso(row.published_at),
        "channel": chat,
        "message_ids": ids,
        "links": _links(chat, ids),
    }


def _links(chat: str, ids: list[int | str]) -> list[str]:
    """t.me links to the messages of a public channel (`@name`); none for a private one."""
    if not chat.startswith("@"):
        return []
    return [f"https://t.me/{chat[1:]}/{i}" for i in ids if isinstance(i, int)]


class Mirrors:
    """Claims due mirrors and sends each in a task; records every outcome under the claim."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: PublishPolicy,
        sender: EventSender,
        alerts: MirrorAlertOutbox,
        *,
        worker: str,
    ) -> None:
        self._sessions, self._clock, self._policy = sessions, clock, policy
        self._sender = sender
        self.alerts = alerts
        self._worker = worker
        self._tasks: dict[int, asyncio.Task[None]] = {}

    async def start_due(self) -> int:
        """Claim what is due (up to this replica's room) and start sending it."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            ids = await repo.claim_due(
                session, now=now, worker=self._worker, lease_until=now + self._policy.send_lease,
                limit=self._policy.mirror_in_flight - len(self._tasks), skip_locked=True,
                busy=tuple(self._tasks),
            )  # fmt: skip
        for post_id in ids:
            task = asyncio.create_task(self._deliver(post_id), name=f"mirror-post-{post_id}")
            self._tasks[post_id] = task
            task.add_done_callback(functools.partial(self._done, post_id))
        return len(ids)

    def _done(self, post_id: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(post_id) is task:
            del self._tasks[post_id]

    async def next_due(self, after: datetime) -> datetime | None:
        """When the next mirror waiting out a backoff falls due."""
        async with self._sessions() as session:
            return await repo.next_due(session, after)

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            return await repo.counts(session)

    async def _deliver(self, post_id: int) -> None:
        async with self._sessions() as session:
            row = await repo.read(session, post_id)
        if row is None:
            return
        try:
            receipt = await self._sender.send_event(
                mirror_id(post_id), EVENT_TYPE, mirror_data(row)
            )
        except PublishError as error:
            await self._after_failure(row, error)
            return
        except Exception as error:  # a bug: tried again like a transient failure
            log.exception("webhook mirror crashed", extra={"post_id": post_id})
            await self._after_failure(
                row, TransientError(f"Internal error ({type(error).__name__}).")
            )
            return
        async with self._sessions.begin() as session:
            await repo.mark_sent(
                session, post_id, worker=self._worker, now=self._clock.now(), receipt=receipt
            )

    async def _after_failure(self, row: MirrorRow, error: PublishError) -> None:
        """Back off and try again, or give up with an alert; the channel post stays as it is."""
        attempts, policy = row.attempts, self._policy
        if isinstance(error, PublishRejected) or attempts > policy.retries:
            reason = str(error) if attempts <= 1 else f"{error} (tried {attempts} times)"
            log.error("webhook mirror failed: %s", reason, extra={"post_id": row.post_id})
            async with self._sessions.begin() as session:
                await repo.mark_failed(session, row.post_id, worker=self._worker, error=reason)
            await self.alerts.flush()
            return
        wait = error.retry_after_s if isinstance(error, RateLimited) else policy.backoff(attempts)
        log.warning("webhook mirror failed, retrying in %.1f s: %s", wait, error,
                    extra={"post_id": row.post_id})  # fmt: skip
        at = self._clock.now() + timedelta(seconds=wait)
        async with self._sessions.begin() as session:
            await repo.retry_at(session, row.post_id, worker=self._worker, at=at, error=str(error))

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.wait(list(self._tasks.values()))

    async def stop(self, grace_s: float) -> None:
        """Let requests on the wire finish; cut the rest off and free their claims at once."""
        tasks = dict(self._tasks)
        if tasks:
            await asyncio.wait(tasks.values(), timeout=grace_s)
        for task in tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        async with self._sessions.begin() as session:
            await repo.release(session, list(tasks), worker=self._worker)

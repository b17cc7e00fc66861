"""Test doubles and data for publishing: a scriptable publisher, a recording alerter, posts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.publishing.alerts import Alert
from core.publishing.dispatcher import Dispatcher
from core.publishing.mirrors import EventSender
from core.publishing.policy import PublishPolicy
from core.publishing.types import Progress, Publication, Publisher, Publishers, Target
from storage.models import Post, PostDelivery, PostTransition
from tests.campaigns.helpers import NOW, MutableClock

CHANNEL = Target("telegram", "@channel")
FAST = PublishPolicy(
    backoff_s=0.01, chat_interval=timedelta(0), rate_per_s=1000.0, sweep_interval_s=1.0,
    send_timeout_s=5.0,
)  # fmt: skip


@dataclass
class FakePublisher:
    """Delivers and records; `script` holds an error (or None for success) per call."""

    script: list[Exception | None] = field(default_factory=list)
    sent: list[Publication] = field(default_factory=list)
    calls: int = 0
    delay_s: float = 0.0

    async def publish(self, publication: Publication, progress: Progress) -> None:
        self.calls += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.sent.append(publication)
        progress.sent.append(f"m{len(self.sent)}")

    def sent_ids(self) -> list[int]:
        return [p.post_id for p in self.sent]


@dataclass
class FakeAlerter:
    alerts: list[Alert] = field(default_factory=list)
    failures: int = 0  # the next n sends raise, as if Telegram were down

    async def send(self, alert: Alert) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("telegram is down")
        self.alerts.append(alert)

    def kinds(self) -> list[tuple[int, str]]:
        return [(a.post_id, a.kind) for a in self.alerts]


def dispatcher(
    sessions: async_sessionmaker[AsyncSession],
    clock: MutableClock,
    publisher: Publisher,
    alerter: FakeAlerter,
    *,
    policy: PublishPolicy = FAST,
    worker: str | None = None,
    default_target: Target | None = CHANNEL,
    mirror: EventSender | None = None,
) -> Dispatcher:
    publishers = Publishers({"telegram": publisher, "webhook": publisher}, {})
    return Dispatcher(
        sessions, clock, policy, publishers, alerter, default_target=default_target,
        image_root=Path("/nonexistent"), worker=worker, mirror=mirror,
    )  # fmt: skip


@dataclass
class FakeWebhook:
    """Receives mirrors as (webhook-id, type, data); `script` holds an error or None per call."""

    script: list[Exception | None] = field(default_factory=list)
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    delay_s: float = 0.0

    async def send_event(self, msg_id: str, event_type: str, data: dict[str, Any]) -> str:
        self.calls.append(msg_id)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.events.append((msg_id, event_type, data))
        return f"zap-{len(self.events)}"


async def add_post(
    sessions: async_sessionmaker[AsyncSession],
    *,
    at: datetime | None = NOW,
    status: str = "scheduled",
    approved: bool = True,
    caption: str = "Our autumn candle is back.",
    hashtags: Sequence[str] = ("#autumn",),
    title: str = "Autumn candle",
    target: str | None = None,
) -> int:
    async with sessions.begin() as session:
        post = Post(
            status=status, title=title, caption=caption, hashtags=list(hashtags),
            scheduled_at=at, approved_at=NOW - timedelta(days=1) if approved else None,
            approved_by=1001 if approved else None,
        )  # fmt: skip
        session.add(post)
        await session.flush()
        if target is not None:
            session.add(PostDelivery(post_id=post.id, target=target))
        return post.id


async def status_of(sessions: async_sessionmaker[AsyncSession], post_id: int) -> str:
    async with sessions() as session:
        status = await session.scalar(select(Post.status).where(Post.id == post_id))
        assert status is not None
        return status


async def delivery(sessions: async_sessionmaker[AsyncSession], post_id: int) -> PostDelivery:
    async with sessions() as session:
        row = await session.get(PostDelivery, post_id)
        assert row is not None
        return row


async def moves(sessions: async_sessionmaker[AsyncSession], post_id: int) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(PostTransition.from_status, PostTransition.to_status)
            .where(PostTransition.post_id == post_id)
            .order_by(PostTransition.id)
        )
        return [(str(a), str(b)) for a, b in rows]


async def count_in(sessions: async_sessionmaker[AsyncSession], status: str) -> int:
    async with sessions() as session:
        found = await session.scalar(select(func.count()).where(Post.status == status))
        return int(found or 0)

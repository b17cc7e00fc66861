"""The sweeper: APScheduler only wakes it; what to do is read from the database each time.

A sweep, in order:
1. recovers claims whose lease ran out (a replica died): not yet sent → scheduled again,
   send started → `unknown` for a human, never resent blindly;
2. marks due posts that must not go out by themselves as `missed` (later than the
   catch-up window, or edited since their approval), with an alert;
3. claims approved posts due now into `publishing`, each with a paced slot and a lease,
   and starts a send job per claim;
4. claims due webhook mirrors (channel posts owed to the webhook too, when both are set)
   and starts a send task per mirror (core.publishing.mirrors);
5. starts the sequence emails due and sends their deliveries (core.mailing.deliveries);
6. sends the alerts owed.

Several replicas on one PostgreSQL sweep at once: claims use FOR UPDATE SKIP LOCKED and
conditional updates, so each post is claimed by one of them. On SQLite every write takes
the database lock, so the same conditional updates keep any number of processes safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.publishing.alerts import Alerter, AlertOutbox
from core.publishing.health import HealthReport, SweepHealth
from core.publishing.mirror_alerts import MirrorAlertOutbox
from core.publishing.mirrors import EventSender, Mirrors
from core.publishing.pacing import Gate, Sleep
from core.publishing.policy import CLOCK_SKEW, PublishPolicy
from core.publishing.sender import Published, SendContext, SendJob
from core.publishing.types import Publishers, Target
from storage.repos import publishing as repo
from storage.repos import publishing_schedule as plan

log = logging.getLogger(__name__)

UNKNOWN_REASON = (
    "The bot stopped while sending it, so nobody knows whether it went out. "
    "It will not be sent again by itself."
)
UNAPPROVED_REASON = (
    "It was changed after it was approved, so it was not sent. Approve it again, then publish."
)


class Outbox(Protocol):
    """More sends a sweep starts: sequence emails (core.mailing.deliveries.SequenceMail)."""

    async def start_due(self) -> None: ...

    async def next_due(self, after: datetime) -> datetime | None: ...

    async def wait_idle(self) -> None: ...

    async def stop(self, grace_s: float) -> None: ...


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: PublishPolicy,
        publishers: Publishers,
        alerter: Alerter,
        *,
        default_target: Target | None,
        image_root: Path,
        worker: str | None = None,
        sleep: Sleep = asyncio.sleep,
        gate: Gate | None = None,
        mirror: EventSender | None = None,
        mail: Outbox | None = None,
        on_published: Published | None = None,
    ) -> None:
        """`mirror`: the webhook that also gets every post published to a Telegram channel;
        `mail`: sequence emails (their own claims and pacing, on this sweep's schedule);
        `on_published`: told of each post published (semantic memory remembers it)."""
        self._sessions, self._clock, self._policy = sessions, clock, policy
        self.worker = worker or new_worker_id()
        self._outbox = AlertOutbox(sessions, clock, alerter, batch=policy.alert_batch)
        # The database paces sends for the whole bot; this replica's gate only stops a
        # burst above twice that rate (a safety net), and holds back a 429'd target.
        gate = gate or Gate(2 * policy.rate_per_s, policy.max_in_flight, sleep=sleep)
        self._ctx = SendContext(
            sessions, clock, policy, publishers, gate, self.worker, default_target, image_root,
            self._outbox.flush, sleep, mirror is not None, on_published,
        )  # fmt: skip
        self._mirrors = self._mirrors_of(mirror, alerter)
        self._mail = mail
        self.health = SweepHealth(started_at=clock.now(), stale_sweep=policy.stale_sweep_after,
                                  stale_due=policy.stale_due_after)  # fmt: skip
        self._jobs: dict[int, tuple[SendJob, asyncio.Task[None]]] = {}
        self._lock = asyncio.Lock()
        self._closing = False

    @property
    def in_flight(self) -> int:
        return len(self._jobs)

    async def sweep(self) -> datetime | None:
        """One pass; returns when the next approved post falls due, to wake up right then."""
        async with self._lock:
            if self._closing:
                return None
            now = self._clock.now()
            try:
                await self._heartbeat(now)
                await self._recover(now)
                await self._mark_missed(now)
                await self._claim()
                upcoming = await self._next(now)
            except Exception as error:
                self.health.failed(f"{type(error).__name__}: {error}"[:300])
                raise
            self.health.swept(now)
        # Outside the lock: a slow Telegram delays the alerts, never the next claims.
        await self._outbox.flush()
        if self._mirrors is not None:
            await self._mirrors.alerts.flush()
        return upcoming

    def _mirrors_of(self, sender: EventSender | None, alerter: Alerter) -> Mirrors | None:
        if sender is None:
            return None
        sessions, clock, policy = self._sessions, self._clock, self._policy
        alerts = MirrorAlertOutbox(sessions, clock, alerter, batch=policy.alert_batch)
        return Mirrors(sessions, clock, policy, sender, alerts, worker=self.worker)

    async def _next(self, now: datetime) -> datetime | None:
        """Start the mirrors and emails due; when the next post, mirror or email falls due."""
        async with self._sessions() as session:
            upcoming = await plan.next_due(session, now)
        times = [upcoming]
        for outbox in self._outboxes:
            await outbox.start_due()
            times.append(await outbox.next_due(now))
        return min((at for at in times if at is not None), default=None)

    @property
    def _outboxes(self) -> list[Mirrors | Outbox]:
        return [box for box in (self._mirrors, self._mail) if box is not None]

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def _heartbeat(self, now: datetime) -> None:
        """Keep this replica's waiting claims alive: only a dead replica's claims expire."""
        waiting = [post_id for post_id, (job, _) in self._jobs.items() if not job.sending]
        lease = self._policy.lease  # renewed at half-life: a few writes, not one per sweep
        if waiting:
            async with self._sessions.begin() as session:
                await repo.extend_leases(
                    session, waiting, worker=self.worker, valid_after=now + CLOCK_SKEW,
                    refresh_before=now + lease / 2, until=now + lease,
                )  # fmt: skip

    async def _recover(self, now: datetime) -> None:
        async with self._sessions.begin() as session:
            back, lost = await repo.recover_expired(
                session, now=now, unknown_reason=UNKNOWN_REASON, actor=self._actor,
                skip_locked=True,
            )  # fmt: skip
        if back or lost:
            log.warning("recovered expired claims", extra={"rescheduled": back, "unknown": lost})

    async def _mark_missed(self, now: datetime) -> None:
        minutes = int(self._policy.catchup_window.total_seconds() // 60)
        late = (
            f"It was due more than {minutes} minutes ago (the bot was not running then), "
            "so it was not sent by itself."
        )
        async with self._sessions.begin() as session:
            missed = await repo.mark_missed(
                session, now=now, oldest=now - self._policy.catchup_window,
                reasons=(late, UNAPPROVED_REASON), actor=self._actor, skip_locked=True,
            )  # fmt: skip
        if missed:
            log.warning("posts missed their time", extra={"post_ids": missed})

    async def _claim(self) -> None:
        """Claim in batches, up to what this replica can send in half a lease."""
        room = self._capacity() - len(self._jobs)
        while room > 0:
            batch = min(room, self._policy.claim_batch)
            claims = await self._claim_batch(self._clock.now(), batch)
            for claim in claims:
                self._start(SendJob(self._ctx, claim))
            room -= len(claims)
            if len(claims) < batch:
                return

    def _capacity(self) -> int:
        policy = self._policy
        return max(policy.claim_batch, int(policy.rate_per_s * policy.lease.total_seconds() / 2))

    async def _claim_batch(self, now: datetime, limit: int) -> list[repo.Claim]:
        default = self._ctx.target_key(None)
        async with self._sessions.begin() as session:
            return await repo.claim_due(
                session, now=now, oldest=now - self._policy.catchup_window, limit=limit,
                worker=self.worker, lease=self._policy.lease, interval=self._policy.chat_interval,
                default_key=default, skip_locked=True, per_second=self._policy.rate_per_s,
            )  # fmt: skip

    def _start(self, job: SendJob) -> None:
        task = asyncio.create_task(job.run(), name=f"publish-post-{job.post_id}")
        self._jobs[job.post_id] = (job, task)
        task.add_done_callback(lambda done: self._finished(job.post_id, done))

    def _finished(self, post_id: int, task: asyncio.Task[None]) -> None:
        self._jobs.pop(post_id, None)
        if not task.cancelled() and task.exception() is not None:
            # The claim stays; its lease runs out and the next sweep recovers it.
            log.error("send job failed", exc_info=task.exception(), extra={"post_id": post_id})

    async def wait_idle(self) -> None:
        """Until every send job started so far has finished (tests and benchmarks)."""
        while self._jobs:
            await asyncio.wait([task for _, task in self._jobs.values()])
        for outbox in self._outboxes:
            await outbox.wait_idle()

    async def health_report(self) -> HealthReport:
        now = self._clock.now()
        async with self._sessions() as session:
            count, oldest = await plan.due_stats(session, now)
        report = self.health.report(now, count, oldest)
        if self._mirrors is not None:
            report.details["webhook_mirrors"] = await self._mirrors.counts()
        return report

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop claiming; let sends on the wire finish; hand back claims not yet sent."""
        self._closing = True
        async with self._lock:
            waiting = [task for job, task in self._jobs.values() if not job.sending]
            for task in waiting:
                task.cancel()
            tasks = [task for _, task in self._jobs.values()]
            # Posts and their webhook mirrors share the grace period instead of taking turns.
            stops = [self._stop_sends(tasks, grace_s)]
            stops += [outbox.stop(grace_s) for outbox in self._outboxes]
            await asyncio.gather(*stops)

    async def _stop_sends(self, tasks: list[asyncio.Task[None]], grace_s: float) -> None:
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._release()

    async def _release(self) -> None:
        async with self._sessions.begin() as session:
            released = await repo.release_unstarted(
                session, worker=self.worker, now=self._clock.now(), actor=self._actor
            )
        if released:
            log.info("handed back claims at shutdown", extra={"post_ids": released})

    @property
    def _actor(self) -> str:
        return f"dispatcher:{self.worker}"

"""Sending approved sequence emails: once per recipient, paced, crash-safe, on replicas.

Woken by the publishing dispatcher's sweep (core.publishing.dispatcher), like the
webhook mirrors. Each pass:
1. a `sending` delivery whose lease ran out (its replica died mid-send) becomes
   `unknown`: it may have gone out, so it is never resent without a human;
2. approved emails of active sequences whose time came become `sending`, with one
   delivery row per recipient (unique per email and recipient; a suppressed address
   gets a `suppressed` row and no mail);
3. due deliveries are claimed under a lease (FOR UPDATE SKIP LOCKED) and sent by one
   task over one reused SMTP connection, paced at SEQUENCE_SEND_RATE_PER_S;
4. emails with no delivery left open are `sent`;
5. the admins are told of each sent email's failed and unknown deliveries, once
   (core.mailing.delivery_alerts).

Per chunk of up to one second's messages (core.mailing.chunk: why, and what a crash
costs): `sending` is committed right before they leave (the suppression list is checked
again there), the outcomes in one commit after. A 4xx or no connection retries with
backoff (PUBLISH_RETRIES, PUBLISH_BACKOFF_S), a 5xx is `failed` with the server's words,
a timeout or a cut-off after DATA is `unknown`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import AppSettings, SMTPSettings
from core.mailing.chunk import Outcomes, Prepared, chunk_size
from core.mailing.delivery_alerts import DeliveryAlerts
from core.mailing.errors import HeaderInjection, MailOutcomeUnknown, MailRejected, MailTransient
from core.mailing.outgoing import domain_of, stable_message_id
from core.mailing.sequence_message import sequence_message
from core.mailing.smtp import SMTP_OFF, SmtpSender
from core.mailing.unsubscribe import tokens_for, unsubscribe_url
from core.publishing.pacing import Gate, Sleep
from core.publishing.policy import CLOCK_SKEW, PublishPolicy
from domain.mailing import DeliveryStatus as D
from storage.repos import deliveries as repo
from storage.repos import delivery_chunks as chunks
from storage.repos.deliveries import Claimed, EmailContent
from storage.repos.delivery_chunks import Begin, Retry

log = logging.getLogger(__name__)

# Told of sequence emails sent to their whole list, and when; never raises.
Sent = Callable[[list[int], datetime], Awaitable[None]]

NO_BASE_URL = (
    "Sequence emails are not sent: set PUBLIC_BASE_URL (the bot's public web address), "
    "which every email's unsubscribe link needs."
)
UNKNOWN_REASON = (
    "The bot stopped while sending it, so nobody knows whether it went out. "
    "It will not be sent again by itself."
)
EMAILS_PER_PASS = 20  # approved emails turned into deliveries per sweep


def sending_off(app: AppSettings, smtp: SMTPSettings) -> str | None:
    """Why sequence emails can't be sent now (shown to the user), or None when they can."""
    if not smtp.host or not smtp.email_from:
        return SMTP_OFF
    if app.public_base_url is None:
        return NO_BASE_URL
    return None


@dataclass(frozen=True)
class MailPolicy:
    publish: PublishPolicy
    rate_per_s: float = 10.0

    @property
    def claim_limit(self) -> int:
        """What one replica sends in half a lease, so claims never outlive their lease."""
        per_lease = self.rate_per_s * self.publish.lease.total_seconds() / 2
        return int(min(500, max(10, per_lease)))

    @property
    def batch_lease(self) -> timedelta:
        return timedelta(seconds=self.claim_limit / self.rate_per_s) + self.publish.lease


class SequenceMail:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: MailPolicy,
        smtp: SMTPSettings,
        base_url: str,
        *,
        worker: str,
        sleep: Sleep = asyncio.sleep,
        alerts: DeliveryAlerts | None = None,
        on_sent: Sent | None = None,
    ) -> None:
        """`alerts`: tells the admins of failed and unknown deliveries on each pass;
        `on_sent`: told of the emails sent to their whole list (semantic memory)."""
        self._sessions, self._clock, self._policy = sessions, clock, policy
        self._smtp, self._base_url, self._worker = smtp, base_url, worker
        self._gate = Gate(policy.rate_per_s, 1, sleep=sleep)
        self._domain = domain_of(smtp.email_from or "")
        self._task: asyncio.Task[None] | None = None
        self._claimed: set[int] = set()
        self._closing = False
        self._alerts = alerts
        self._on_sent = on_sent

    async def start_due(self) -> None:
        """Recover, start the emails due, close the finished ones; send in a task."""
        now = self._clock.now()
        async with self._sessions.begin() as session:
            lost = await repo.recover_expired(session, now=now, reason=UNKNOWN_REASON)
        if lost:
            log.warning("sequence deliveries cut off mid-send are unknown", extra={"ids": lost})
        async with self._sessions.begin() as session:
            started = await repo.start_due_emails(
                session, now=now, limit=EMAILS_PER_PASS, skip_locked=True
            )
        if started:
            log.info("sequence emails started", extra={"email_ids": started})
        await self._finish_emails()
        if self._alerts is not None:
            await self._alerts.flush()
        if not self._closing and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._run(), name="sequence-mail")

    async def next_due(self, after: datetime) -> datetime | None:
        async with self._sessions() as session:
            return await repo.next_due(session, after)

    async def wait_idle(self) -> None:
        """Until the sending task is done, and its emails closed (tests, benchmarks)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])
        await self._finish_emails()

    async def stop(self, grace_s: float) -> None:
        """Stop after the message on the wire (up to `grace_s`); hand back the rest."""
        self._closing = True
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task], timeout=grace_s)
            task.cancel()  # a send cut off here stays `sending`: unknown after its lease
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._release(list(self._claimed))

    async def _finish_emails(self) -> None:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            done = await repo.finish_emails(session, now=now)
        if done:
            log.info("sequence emails sent to their lists", extra={"email_ids": done})
            if self._on_sent is not None:
                await self._on_sent(done, now)

    async def _run(self) -> None:
        limit = self._policy.claim_limit
        while not self._closing:
            claims = await self._claim(limit)
            if claims:
                await self._send_batch(claims)
            if len(claims) < limit:
                return

    async def _claim(self, limit: int) -> list[Claimed]:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            claims = await repo.claim_due(
                session, now=now, worker=self._worker, limit=limit, skip_locked=True,
                lease_until=now + self._policy.batch_lease,
            )  # fmt: skip
        self._claimed.update(c.delivery_id for c in claims)
        return claims

    async def _send_batch(self, claims: list[Claimed]) -> None:
        """Over one connection, chunk by chunk; a lost server stops the batch."""
        contents: dict[int, EmailContent | None] = {}
        size = chunk_size(self._policy.rate_per_s)
        async with SmtpSender(self._smtp, timeout_s=self._policy.publish.send_timeout_s) as smtp:
            try:
                await smtp.open()
            except MailTransient as error:
                await self._server_down(claims, error)
                return
            for start in range(0, len(claims), size):
                if self._closing:
                    return  # stop() hands the claims not begun back
                part = claims[start : start + size]
                if not await self._send_chunk(smtp, part, contents):
                    await self._server_down(claims[start + size :], None)
                    return

    async def _send_chunk(
        self, smtp: SmtpSender, part: list[Claimed], contents: dict[int, EmailContent | None]
    ) -> bool:
        """Begin the chunk in one commit, send it, record every outcome in one more.
        False when the server went away."""
        outcomes = Outcomes()
        links = await self._links(part)
        prepared = [
            p for c in part if (p := await self._prepare(smtp, c, contents, links, outcomes))
        ]
        until = self._clock.now() + self._chunk_lease(len(prepared))
        begun = set(await self._begin(prepared, until))
        current: int | None = None
        alive = True
        try:
            for item in (p for p in prepared if p.claim.delivery_id in begun):
                current = item.claim.delivery_id
                alive = alive and await self._send_one(smtp, item, until, outcomes)
                if not alive and current not in outcomes.handled:
                    outcomes.unsent.append(current)
                current = None
        finally:
            # Interrupted (stop): the message on the wire stays `sending` (unknown after
            # its lease); the ones after it never left, so they are pending again.
            outcomes.unsent += [i for i in begun - outcomes.handled if i != current]
            await self._record(outcomes, alive)
            self._claimed.difference_update(c.delivery_id for c in part)
        return alive

    async def _links(self, part: list[Claimed]) -> dict[str, str]:
        """Each recipient's unsubscribe link (one per address, for good), in one commit."""
        async with self._sessions.begin() as session:
            tokens = await tokens_for(session, {c.recipient for c in part}, now=self._clock.now())
        return {address: unsubscribe_url(self._base_url, t) for address, t in tokens.items()}

    async def _prepare(
        self, smtp: SmtpSender, claim: Claimed, contents: dict[int, EmailContent | None],
        links: dict[str, str], outcomes: Outcomes,
    ) -> Prepared | None:  # fmt: skip
        if claim.email_id not in contents:
            contents[claim.email_id] = await self._content(claim.email_id)
        content = contents[claim.email_id]
        if content is None:
            return None  # the email was deleted: its deliveries went with it
        key = f"seq{content.sequence_id}-e{content.email_id}-d{claim.delivery_id}"
        message_id = stable_message_id(key, self._domain)
        try:
            message = sequence_message(
                content, claim.recipient, sender=smtp.sender, message_id=message_id,
                unsubscribe_url=links[claim.recipient],
            )  # fmt: skip
        except HeaderInjection as error:
            outcomes.end(claim, D.FAILED, f"The email could not be built: {error}")
            return None
        return Prepared(claim, message, Begin(claim.delivery_id, message_id))

    def _chunk_lease(self, count: int) -> timedelta:
        """Twice the chunk's time at the pace (a server slower than the pace still gets
        through it), plus one slow send. A message is only started with a whole send's
        lease left; the rest of a chunk that ran late goes back to pending, unsent."""
        pace = timedelta(seconds=2 * count / self._policy.rate_per_s)
        return pace + self._policy.publish.send_lease

    async def _content(self, email_id: int) -> EmailContent | None:
        async with self._sessions() as session:
            return await repo.content(session, email_id)

    async def _begin(self, prepared: list[Prepared], until: datetime) -> list[int]:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            return await chunks.begin_chunk(
                session, [p.begin for p in prepared], worker=self._worker,
                valid_after=now + CLOCK_SKEW, lease_until=until,
            )  # fmt: skip

    async def _send_one(
        self, smtp: SmtpSender, item: Prepared, until: datetime, outcomes: Outcomes
    ) -> bool:
        """Send one begun delivery; False when the server went away (the chunk stops)."""
        claim = item.claim
        async with self._gate.turn("smtp"):
            if self._closing or self._clock.now() + self._policy.publish.send_lease > until:
                outcomes.unsent.append(claim.delivery_id)  # not enough lease left to send
                return True
            try:
                await smtp.send(item.message)
            except MailTransient as error:
                self._transient(claim, error, outcomes)
                return error.code is not None  # no reply code: the connection is gone
            except MailRejected as error:
                outcomes.end(claim, D.FAILED, str(error), error.code)
            except MailOutcomeUnknown as error:
                outcomes.end(claim, D.UNKNOWN, str(error))
            except Exception as error:  # a bug mid-send: what went out is unknowable
                log.exception("sequence send crashed", extra={"delivery_id": claim.delivery_id})
                outcomes.end(claim, D.UNKNOWN, f"Internal error ({type(error).__name__}).")
            else:
                outcomes.sent.append(claim.delivery_id)
        return True

    def _transient(self, claim: Claimed, error: MailTransient, outcomes: Outcomes) -> None:
        """Retry with backoff, up to PUBLISH_RETRIES times; then failed."""
        tries = claim.attempts + 1
        policy = self._policy.publish
        if tries > policy.retries:
            outcomes.end(claim, D.FAILED, f"{error} (tried {tries} times)", error.code)
            return
        at = self._clock.now() + timedelta(seconds=policy.backoff(tries))
        outcomes.retries.append(Retry(claim.delivery_id, at, str(error), error.code))

    async def _record(self, outcomes: Outcomes, alive: bool) -> None:
        now = self._clock.now()
        # After a lost server the unsent wait a backoff; otherwise they are due now.
        unsent_at = now if alive else now + timedelta(seconds=self._policy.publish.backoff(1))
        async with self._sessions.begin() as session:
            await chunks.record_chunk(
                session, worker=self._worker, now=now, sent=outcomes.sent,
                final=outcomes.final, retries=outcomes.retries, unsent=outcomes.unsent,
                unsent_at=unsent_at,
            )  # fmt: skip
        for outcome in outcomes.final:
            log.warning("sequence email %s: %s", outcome.status, outcome.error,
                        extra={"delivery": outcome.delivery_id})  # fmt: skip

    async def _server_down(self, rest: list[Claimed], error: MailTransient | None) -> None:
        """The server can't be reached: the claims not begun wait a backoff, uncounted."""
        if error is not None:
            log.warning("mail server unreachable; sequence emails wait: %s", error)
        at = self._clock.now() + timedelta(seconds=self._policy.publish.backoff(1))
        await self._release([c.delivery_id for c in rest], at=at)

    async def _release(self, ids: list[int], at: datetime | None = None) -> None:
        if not ids:
            return
        async with self._sessions.begin() as session:
            await repo.release(session, ids, worker=self._worker, at=at)
        self._claimed.difference_update(ids)

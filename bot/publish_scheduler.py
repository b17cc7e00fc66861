"""Publishing, assembled: the dispatcher, its publishers, and APScheduler waking it.

APScheduler only wakes the sweeper, every PUBLISH_SWEEP_INTERVAL_S and once more at the
moment the next post falls due (so a post goes out on time, not up to an interval late);
the database decides what happens. Publishing uses its own Bot without PTB's rate
limiter: the dispatcher paces itself and must see every 429 to apply its policy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.adapters.delivery_alerts import TelegramDeliveryAlerter
from bot.adapters.telegram_channel import TelegramAlerter, TelegramChannelPublisher
from bot.adapters.telegram_http import AiohttpRequest
from bot.adapters.webhook_sender import WebhookPublisher
from bot.published_cards import TelegramPublishedCards
from bot.settings import Settings
from core.clock import Clock
from core.config import SequenceSettings
from core.mailing.deliveries import MailPolicy, SequenceMail, sending_off
from core.mailing.delivery_alerts import DeliveryAlerts
from core.memory.record import MemoryRecorder, PublishedPosts, SentSequenceEmails
from core.publishing.cards import RedrawOnPublish, ScheduleCards, chained
from core.publishing.dispatcher import Dispatcher, new_worker_id
from core.publishing.email import EmailPublisher
from core.publishing.health import HealthReport
from core.publishing.policy import PublishPolicy, default_target, mirror_enabled
from core.publishing.service import SchedulingService
from core.publishing.types import Publisher, Publishers
from handlers.schedule.alerts import alert_message
from handlers.sequence.deliveries import delivery_message

log = logging.getLogger(__name__)

SWEEP_JOB, WAKE_JOB = "publish-sweep", "publish-wake"
OFF = {
    "webhook": "Webhook publishing is off: set PUBLISH_WEBHOOK_URL and PUBLISH_WEBHOOK_SECRET.",
    "email": "Email publishing is off: set SMTP_HOST and EMAIL_FROM.",
}


@dataclass
class Publishing:
    dispatcher: Dispatcher
    scheduling: SchedulingService
    policy: PublishPolicy
    bot: Bot
    default_target: str | None
    clock: Clock
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _scheduler: AsyncIOScheduler | None = None
    _wake_at: datetime | None = None
    _again: bool = False
    _sweeping: asyncio.Task[None] | None = None
    _started: bool = False

    async def start(self, scheduler: AsyncIOScheduler) -> None:
        await self.bot.initialize()
        self._started, self._scheduler = True, scheduler
        self.scheduling.on_due = self.wake
        scheduler.add_job(
            self.tick, "interval", seconds=self.policy.sweep_interval_s, id=SWEEP_JOB,
            next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
        )  # fmt: skip

    async def tick(self) -> None:
        """The APScheduler job: start a sweep, or ask the running one for another pass.

        The sweep runs in a task of ours, not in the job: APScheduler cancels running jobs
        at shutdown, while stop() lets the sweep in progress finish.
        """
        self._again = True
        if self._sweeping is None or self._sweeping.done():
            self._sweeping = asyncio.create_task(self._sweeps(), name="publishing-sweep")

    async def _sweeps(self) -> None:
        while self._again and self._started:
            self._again = False
            try:
                upcoming = await self.dispatcher.sweep()
            except Exception:
                log.exception("publishing sweep failed; the next one tries again")
                return
            self._wake_for(upcoming)

    def wake(self, due: datetime) -> None:
        """A post falls due at `due` (now, for publish-now): sweep then, if that is sooner."""
        self._wake_for(due)

    def _wake_for(self, due: datetime | None) -> None:
        """One extra sweep at `due`, if that comes before the next regular one."""
        if due is None or self._scheduler is None or not self._scheduler.running:
            return
        delay = max(0.0, (due - self.clock.now()).total_seconds())
        if delay >= self.policy.sweep_interval_s:
            return
        at = datetime.now(UTC) + timedelta(seconds=delay)
        if self._wake_at is not None and datetime.now(UTC) < self._wake_at <= at:
            return  # an earlier wake-up is already set
        self._wake_at = at
        self._scheduler.add_job(
            self.tick, "date", run_date=at, id=WAKE_JOB, replace_existing=True,
            misfire_grace_time=None, coalesce=True,
        )  # fmt: skip

    async def health(self) -> HealthReport:
        return await self.dispatcher.health_report()

    async def stop(self) -> None:
        """Finish sends on the wire (up to the send timeout), hand back the rest, close."""
        if not self._started:
            return
        self._started = False
        await self.dispatcher.stop(grace_s=self.policy.send_timeout_s)
        if self._sweeping is not None:
            await self._sweeping  # ends at once: the dispatcher no longer sweeps
        for close in self.closers:
            await close()
        await self.bot.shutdown()


def build_publishing(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    memory: MemoryRecorder | None = None,
) -> Publishing:
    """`memory`: remembers every post published and sequence email sent (semantic memory)."""
    memory = memory or MemoryRecorder()
    app = settings.app
    policy = PublishPolicy.from_settings(app)
    target = default_target(app)
    bot = _publishing_bot(settings, policy)
    label = target.key if target else None
    cards = ScheduleCards(sessions, clock)
    redraw = RedrawOnPublish(cards, TelegramPublishedCards(bot, app.tz, label))
    on_published = chained(PublishedPosts(sessions, memory), redraw)
    by_kind, closers = _publishers(settings, policy, bot, clock)
    render = partial(alert_message, tz=app.tz, default_target=label)
    alerter = TelegramAlerter(bot, settings.access.admin_user_ids, render)
    # Both a channel and the webhook: each channel post is mirrored to the webhook.
    webhook = by_kind.get("webhook")
    mirror = webhook if mirror_enabled(app) and isinstance(webhook, WebhookPublisher) else None
    worker = new_worker_id()
    dispatcher = Dispatcher(
        sessions, clock, policy, Publishers(by_kind, OFF), alerter, worker=worker,
        default_target=target, image_root=app.data_dir, mirror=mirror,
        mail=_sequence_mail(settings, sessions, clock, policy, worker, bot, memory),
        on_published=on_published,
    )  # fmt: skip
    scheduling = SchedulingService(sessions, clock, app.tz, image_root=app.data_dir,
                                   default_target=label, mirror=mirror is not None,
                                   on_published=on_published, cards=cards)  # fmt: skip
    return Publishing(dispatcher, scheduling, policy, bot, label, clock, closers)


def _sequence_mail(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock,
    policy: PublishPolicy, worker: str, bot: Bot, memory: MemoryRecorder,
) -> SequenceMail | None:  # fmt: skip
    """Sequence emails go out on the dispatcher's sweep when SMTP and PUBLIC_BASE_URL are set."""
    off = sending_off(settings.app, settings.smtp)
    if off is not None:
        log.info(off)
        return None
    rate = (settings.sequences or SequenceSettings(_env_file=None)).send_rate_per_s
    admins = settings.access.admin_user_ids
    alerter = TelegramDeliveryAlerter(bot, admins, delivery_message)
    return SequenceMail(
        sessions, clock, MailPolicy(policy, rate), settings.smtp,
        str(settings.app.public_base_url), worker=worker,
        alerts=DeliveryAlerts(sessions, clock, alerter),
        on_sent=SentSequenceEmails(sessions, memory),
    )  # fmt: skip


def _publishing_bot(settings: Settings, policy: PublishPolicy) -> Bot:
    timeout = policy.send_timeout_s
    request = AiohttpRequest(
        connection_pool_size=policy.max_in_flight + 4, connect_timeout=min(timeout, 10.0),
        read_timeout=timeout, write_timeout=timeout, pool_timeout=5.0, media_write_timeout=timeout,
    )  # fmt: skip
    telegram = settings.telegram
    return Bot(
        telegram.bot_token.get_secret_value(), base_url=telegram.api_base_url,
        base_file_url=telegram.file_base_url, request=request,
    )  # fmt: skip


def _publishers(
    settings: Settings, policy: PublishPolicy, bot: Bot, clock: Clock
) -> tuple[dict[str, Publisher], list[Callable[[], Awaitable[None]]]]:
    by_kind: dict[str, Publisher] = {"telegram": TelegramChannelPublisher(bot)}
    closers: list[Callable[[], Awaitable[None]]] = []
    app = settings.app
    if app.publish_webhook_url is not None and app.publish_webhook_secret is not None:
        webhook = WebhookPublisher(
            str(app.publish_webhook_url), app.publish_webhook_secret.get_secret_value(), clock,
            timeout_s=policy.send_timeout_s,
        )  # fmt: skip
        by_kind["webhook"] = webhook
        closers.append(webhook.close)
    if settings.smtp.host and settings.smtp.email_from:
        by_kind["email"] = EmailPublisher(settings.smtp, timeout_s=policy.send_timeout_s)
    return by_kind, closers

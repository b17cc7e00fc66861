"""Sequences with approved emails due, and dispatchers that send them over real SMTP."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api import ApiContext, mount_api
from bot.api.auth import BearerAuth
from bot.api.idempotency import IdempotencyStore
from bot.api.ratelimit import DbRateLimiter
from bot.api.sequences import mount_sequences
from core.config import SMTPSettings
from core.mailing.deliveries import MailPolicy, SequenceMail
from core.mailing.delivery_alerts import DeliveryAlerter, DeliveryAlerts
from core.mailing.delivery_log import DeliveryLog
from core.publishing.dispatcher import Dispatcher
from core.publishing.policy import PublishPolicy
from core.publishing.types import Publishers
from core.sequences.service import SequenceService
from domain.sequences import SequenceEmailStatus as E
from storage.models import EmailSequence, SequenceEmail, SequenceRecipient
from storage.models.deliveries import EmailDelivery
from tests.campaigns.helpers import NOW, MutableClock, build_core
from tests.publishing.helpers import FAST, FakeAlerter, FakePublisher

Sessions = async_sessionmaker[AsyncSession]


def sequences_api(session_factory: Sessions, clock: MutableClock, token: str) -> web.Application:
    """The REST API with the sequence routes, their delivery counts included."""
    service = SequenceService(
        session_factory, clock, ZoneInfo("Europe/Berlin"), send_at=time(9),
        deliveries=DeliveryLog(session_factory),
    )  # fmt: skip
    core = build_core(session_factory, clock)
    ctx = ApiContext(
        auth=BearerAuth(SecretStr(token)),
        limiter=DbRateLimiter(session_factory, clock, limit=1000),
        idempotency=IdempotencyStore(session_factory, clock, ttl=timedelta(hours=24)),
        personas=core.personas,
        campaigns=core.campaigns,
    )
    app = web.Application()
    mount_api(app, ctx)
    mount_sequences(app, service)
    return app


BASE_URL = "https://bot.shop.example"


async def add_sequence(
    sessions: Sessions,
    recipients: Sequence[str],
    *,
    emails: int = 1,
    status: str = E.APPROVED,
    due: datetime = NOW,
    sequence_status: str = "active",
) -> tuple[int, list[int]]:
    """A sequence with these recipients and `emails` emails a day apart from `due`."""
    async with sessions.begin() as session:
        sequence = EmailSequence(
            name="Autumn candles", description="", schedule_type="daily", total_months=1,
            tz="Europe/Berlin", send_time=time(9), starts_on=date(2026, 11, 21),
            created_by="api", status=sequence_status, weekly_days=[],
        )  # fmt: skip
        session.add(sequence)
        await session.flush()
        for address in recipients:
            session.add(SequenceRecipient(sequence_id=sequence.id, email=address,
                                          consent_source="api", consent_at=NOW))  # fmt: skip
        rows = [
            SequenceEmail(
                sequence_id=sequence.id,
                number=n,
                due_at=due + timedelta(days=n - 1),
                structure="informational",
                subject=f"Candle tips #{n}",
                body_text=f"Hello!\n\nTip {n}: trim the wick.",
                status=status,
                key_points=[],
            )
            for n in range(1, emails + 1)
        ]
        session.add_all(rows)
        await session.flush()
        return sequence.id, [row.id for row in rows]


def mail_dispatcher(
    sessions: Sessions,
    clock: MutableClock,
    smtp: SMTPSettings,
    *,
    worker: str,
    policy: PublishPolicy = FAST,
    rate_per_s: float = 1000.0,
    alerter: DeliveryAlerter | None = None,
) -> Dispatcher:
    alerts = DeliveryAlerts(sessions, clock, alerter) if alerter else None
    mail = SequenceMail(sessions, clock, MailPolicy(policy, rate_per_s), smtp, BASE_URL,
                        worker=worker, alerts=alerts)  # fmt: skip
    publisher = FakePublisher()
    return Dispatcher(
        sessions, clock, policy, Publishers({"telegram": publisher}, {}), FakeAlerter(),
        default_target=None, image_root=Path("/nonexistent"), worker=worker, mail=mail,
    )  # fmt: skip


async def sweep(*dispatchers: Dispatcher) -> None:
    for d in dispatchers:
        await d.sweep()
    for d in dispatchers:
        await d.wait_idle()


async def deliveries(sessions: Sessions, email_id: int) -> dict[str, EmailDelivery]:
    async with sessions() as session:
        rows = await session.scalars(
            select(EmailDelivery).where(EmailDelivery.sequence_email_id == email_id)
        )
        return {row.recipient: row for row in rows}


async def email_status(sessions: Sessions, email_id: int) -> str:
    async with sessions() as session:
        status = await session.scalar(
            select(SequenceEmail.status).where(SequenceEmail.id == email_id)
        )
        assert status is not None
        return status

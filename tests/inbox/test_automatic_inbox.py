"""Automatic mail in the support inbox (a real Dovecot), on SQLite and PostgreSQL: the
bounce of a sequence email the bot sent (real aiosmtpd) marks that delivery and
suppresses the address; an out-of-office reply is stored; neither is handed on for a
reply draft, while the customer's mail between them is."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import SystemClock
from core.emaildesk.intake import EmailIntake
from domain.emaildesk import InboundStatus
from domain.mailing import DeliveryStatus as D
from storage.models import EmailSuppression
from tests.campaigns.helpers import MutableClock
from tests.doubles.dovecot import Account
from tests.doubles.smtp_server import running_smtp
from tests.emaildesk import automatic_samples as samples
from tests.inbox.support import mail, mailbox, reader, stored
from tests.mailing.helpers import add_sequence, deliveries, mail_dispatcher, sweep

GONE = "gone@customer.example"


async def test_a_bounce_and_an_auto_reply_in_the_inbox_get_no_draft(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    with running_smtp() as (box, smtp):
        _, [email_id] = await add_sequence(session_factory, [GONE, "ana@customer.example"])
        await sweep(mail_dispatcher(session_factory, MutableClock(), smtp, worker="a"))
        original = str(box.to(GONE)[0].message["Message-ID"])
    imap_account.append(samples.postfix_bounce(original, GONE))
    imap_account.append(mail(2))
    imap_account.append(samples.EXCHANGE_OUT_OF_OFFICE)
    intake = EmailIntake(session_factory, SystemClock())
    handed_on: list[int] = []

    async def hook(email_id: int) -> None:
        handed_on.append(email_id)

    intake.on_received(hook)

    result = await reader(session_factory, mailbox(imap_account), intake=intake).poll()

    assert result.read == 3
    bounce, person, away = await stored(session_factory)
    assert [r.status for r in (bounce, person, away)] == [
        InboundStatus.AUTOMATIC, InboundStatus.RECEIVED, InboundStatus.AUTOMATIC,
    ]  # fmt: skip
    assert (bounce.automatic_kind, away.automatic_kind) == ("bounce", "auto_reply")
    assert "bounced" in (bounce.automatic_reason or "")
    assert handed_on == [person.id]
    assert (await deliveries(session_factory, email_id))[GONE].status == D.BOUNCED
    async with session_factory() as session:
        assert [s.address for s in await session.scalars(select(EmailSuppression))] == [GONE]

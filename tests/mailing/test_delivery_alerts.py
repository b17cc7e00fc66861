"""Admins told of failed and unknown deliveries: one alert per sequence email with its
counts, told once (across replicas, after a failed try), and unknown ones decided."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field

import pytest

from core.config import SMTPSettings
from core.errors import AlreadyDecided
from core.mailing.delivery_alerts import DeliveryAlert, DeliveryAlerts
from domain.mailing import DeliveryStatus as D
from tests.campaigns.helpers import MutableClock
from tests.doubles.smtp_server import ScriptedSmtp
from tests.mailing.helpers import (
    Sessions,
    add_sequence,
    deliveries,
    email_status,
    mail_dispatcher,
    sweep,
)
from tests.publishing.helpers import FAST

Server = tuple[ScriptedSmtp, SMTPSettings]
ANA, BOB, CY, GONE = (f"{n}@customer.example" for n in ("ana", "bob", "cy", "gone"))
SLOW = dataclasses.replace(FAST, send_timeout_s=0.5)


@dataclass
class Admins:
    """The Telegram side's stand-in: what the admins would be told."""

    told: list[DeliveryAlert] = field(default_factory=list)
    fail_next: bool = False

    async def deliveries(self, alert: DeliveryAlert) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("Telegram unreachable")
        self.told.append(alert)


async def _send_with_trouble(sessions: Sessions, smtp: Server, admins: Admins) -> int:
    """ana sent, gone refused (550), bob's DATA hangs (unknown), cy sent."""
    box, settings = smtp
    box.rcpt_replies[GONE] = "550 5.1.1 No such user"
    box.data_script += ["250 OK", "hang"]  # ana, then bob
    _, [email_id] = await add_sequence(sessions, [ANA, BOB, GONE, CY])
    dispatcher = mail_dispatcher(sessions, MutableClock(), settings, worker="a", policy=SLOW,
                                 alerter=admins)  # fmt: skip
    await sweep(dispatcher)
    await sweep(dispatcher)  # the email is sent by now: its alert goes
    await sweep(dispatcher)  # told once only
    return email_id


async def test_one_alert_per_email_with_its_counts_told_once(
    session_factory: Sessions, smtp: Server
) -> None:
    admins = Admins()
    email_id = await _send_with_trouble(session_factory, smtp, admins)
    [alert] = admins.told
    assert (alert.email_id, alert.sequence_name, alert.number) == (email_id, "Autumn candles", 1)
    assert dict(alert.counts) == {"sent": 2, "failed": 1, "unknown": 1}
    assert alert.unknown == (BOB,)
    assert [(a, "550 5.1.1 No such user" in (e or "")) for a, e in alert.failed] == [(GONE, True)]


async def test_an_email_all_sent_tells_nobody(session_factory: Sessions, smtp: Server) -> None:
    admins = Admins()
    await add_sequence(session_factory, [ANA, CY])
    dispatcher = mail_dispatcher(session_factory, MutableClock(), smtp[1], worker="a",
                                 alerter=admins)  # fmt: skip
    await sweep(dispatcher)
    await sweep(dispatcher)
    assert admins.told == []


async def test_an_alert_nobody_got_is_told_at_the_next_sweep(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    box.rcpt_replies[GONE] = "550 5.1.1 No such user"
    admins = Admins(fail_next=True)
    await add_sequence(session_factory, [GONE])
    dispatcher = mail_dispatcher(session_factory, MutableClock(), settings, worker="a",
                                 alerter=admins)  # fmt: skip
    await sweep(dispatcher)
    await sweep(dispatcher)  # Telegram unreachable: released
    assert admins.told == []
    await sweep(dispatcher)
    await sweep(dispatcher)
    assert len(admins.told) == 1


async def test_two_replicas_tell_once(session_factory: Sessions, smtp: Server) -> None:
    box, settings = smtp
    box.rcpt_replies[GONE] = "550 5.1.1 No such user"
    admins = Admins()
    await add_sequence(session_factory, [GONE, ANA])
    clock = MutableClock()
    a, b = (mail_dispatcher(session_factory, clock, settings, worker=w, alerter=admins)
            for w in ("a", "b"))  # fmt: skip
    await sweep(a)
    await asyncio.gather(a.sweep(), b.sweep())
    await sweep(a, b)
    assert len(admins.told) == 1


async def test_it_was_sent_settles_unknown_ones_and_a_second_tap_is_refused(
    session_factory: Sessions, smtp: Server
) -> None:
    admins = Admins()
    email_id = await _send_with_trouble(session_factory, smtp, admins)
    decide = DeliveryAlerts(session_factory, MutableClock())
    [alert] = admins.told
    assert await decide.decide_unknown(email_id, alert.revision, sent=True) == 1
    rows = await deliveries(session_factory, email_id)
    assert (rows[BOB].status, rows[BOB].error) == (D.SENT, None)
    with pytest.raises(AlreadyDecided):
        await decide.decide_unknown(email_id, alert.revision, sent=False)
    assert rows[GONE].status == D.FAILED  # failures are not touched


async def test_send_again_sends_the_unknown_ones_once_more(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    admins = Admins()
    email_id = await _send_with_trouble(session_factory, smtp, admins)
    [alert] = admins.told
    clock = MutableClock()
    assert await DeliveryAlerts(session_factory, clock).decide_unknown(
        email_id, alert.revision, sent=False
    ) == 1  # fmt: skip
    box.rcpt_replies[BOB] = "550 5.2.1 Mailbox full"  # and this time it fails for good
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a", alerter=admins)
    await sweep(dispatcher)
    await sweep(dispatcher)
    rows = await deliveries(session_factory, email_id)
    assert rows[BOB].status == D.FAILED and rows[BOB].attempts == 2
    assert [m.rcpt for m in box.messages].count(ANA) == 1  # nobody else mailed again
    assert await email_status(session_factory, email_id) == "sent"
    second = admins.told[1:]
    assert [dict(a.counts) for a in second] == [{"sent": 2, "failed": 2}]

"""Sequence emails sent by the publishing dispatcher through a real SMTP server (aiosmtpd),
on SQLite and PostgreSQL: once per recipient across replicas, failures, recovery."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from core.config import SMTPSettings
from core.mailing.unsubscribe import Unsubscribes
from domain.mailing import DeliveryStatus as D
from storage.repos import deliveries as repo
from storage.repos import suppressions
from tests.campaigns.helpers import NOW, MutableClock
from tests.doubles.smtp_server import ScriptedSmtp
from tests.mailing.helpers import (
    BASE_URL,
    Sessions,
    add_sequence,
    deliveries,
    email_status,
    mail_dispatcher,
    sweep,
)
from tests.publishing.helpers import FAST

Server = tuple[ScriptedSmtp, SMTPSettings]
LIST = [f"reader{n}@customer.example" for n in range(40)]


async def test_two_dispatchers_mail_each_recipient_exactly_once(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    clock = MutableClock()
    async with session_factory.begin() as session:  # unsubscribed before: never mailed
        await suppressions.suppress(session, LIST[0], reason="unsubscribed", source="link",
                                    now=NOW)  # fmt: skip
    _, [email_id] = await add_sequence(session_factory, LIST)
    a, b = (mail_dispatcher(session_factory, clock, settings, worker=w) for w in ("a", "b"))
    await asyncio.gather(a.sweep(), b.sweep())
    await asyncio.gather(a.wait_idle(), b.wait_idle())
    await sweep(a, b)  # nothing left to send: nothing more goes out
    assert sorted(m.rcpt for m in box.messages) == sorted(LIST[1:])  # each once
    rows = await deliveries(session_factory, email_id)
    assert rows[LIST[0]].status == D.SUPPRESSED
    assert {rows[r].status for r in LIST[1:]} == {D.SENT}
    assert await email_status(session_factory, email_id) == "sent"


async def test_the_message_carries_one_click_unsubscribe_and_a_footer(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    await add_sequence(session_factory, ["ana@customer.example"])
    await sweep(mail_dispatcher(session_factory, MutableClock(), settings, worker="a"))
    [got] = box.messages
    message = got.message
    assert message["Subject"] == "Candle tips #1"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith(f"{BASE_URL}/u/") and len(link.rsplit("/", 1)[1]) == 32
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and f"Unsubscribe: {link}" in plain.get_content()
    assert html is not None and f'href="{link}"' in html.get_content()
    assert str(message["Message-ID"]).endswith("@shop.example>")


async def test_unsubscribed_then_no_further_mail(session_factory: Sessions, smtp: Server) -> None:
    box, settings = smtp
    clock = MutableClock()
    pair = ["ana@customer.example", "bob@customer.example"]
    _, [first, second] = await add_sequence(session_factory, pair, emails=2)
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    await sweep(dispatcher)
    token = str(box.to("ana@customer.example")[0].message["List-Unsubscribe"]).strip().strip("<>")
    token = token.rsplit("/", 1)[1]
    done = await Unsubscribes(session_factory, clock).unsubscribe(token, source="one-click")
    assert done is not None and done.address == "ana@customer.example"
    clock.advance(days=1)
    await sweep(dispatcher)
    assert [m.rcpt for m in box.messages].count("ana@customer.example") == 1
    assert [m.rcpt for m in box.messages].count("bob@customer.example") == 2
    assert (await deliveries(session_factory, second))["ana@customer.example"].status == (
        D.SUPPRESSED
    )
    assert (await deliveries(session_factory, first))["ana@customer.example"].status == D.SENT


async def test_a_4xx_is_retried_after_a_backoff(session_factory: Sessions, smtp: Server) -> None:
    box, settings = smtp
    box.rcpt_replies["busy@customer.example"] = "451 4.7.1 Greylisted"
    clock = MutableClock()
    _, [email_id] = await add_sequence(session_factory, ["busy@customer.example"])
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    await sweep(dispatcher)
    row = (await deliveries(session_factory, email_id))["busy@customer.example"]
    assert (row.status, row.attempts, row.smtp_code) == (D.PENDING, 1, 451)
    del box.rcpt_replies["busy@customer.example"]
    await sweep(dispatcher)  # the backoff has not passed yet
    assert box.messages == []
    clock.advance(seconds=1)
    await sweep(dispatcher)
    assert [m.rcpt for m in box.messages] == ["busy@customer.example"]
    assert await email_status(session_factory, email_id) == "sent"


async def test_a_4xx_too_often_fails(session_factory: Sessions, smtp: Server) -> None:
    box, settings = smtp
    box.rcpt_replies["busy@customer.example"] = "451 4.7.1 Greylisted"
    clock = MutableClock()
    _, [email_id] = await add_sequence(session_factory, ["busy@customer.example"])
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    for _ in range(FAST.retries + 1):
        await sweep(dispatcher)
        clock.advance(seconds=10)
    row = (await deliveries(session_factory, email_id))["busy@customer.example"]
    assert row.status == D.FAILED and "tried 4 times" in (row.error or "")


async def test_a_5xx_fails_with_the_reason_and_the_rest_go_out(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    box.rcpt_replies["gone@customer.example"] = "550 5.1.1 No such user"
    _, [email_id] = await add_sequence(session_factory, ["gone@customer.example",
                                                         "ana@customer.example"])  # fmt: skip
    await sweep(mail_dispatcher(session_factory, MutableClock(), settings, worker="a"))
    rows = await deliveries(session_factory, email_id)
    gone = rows["gone@customer.example"]
    assert (gone.status, gone.smtp_code) == (D.FAILED, 550)
    assert "550 5.1.1 No such user" in (gone.error or "")
    assert rows["ana@customer.example"].status == D.SENT
    assert await email_status(session_factory, email_id) == "sent"


async def test_a_5xx_after_data_fails(session_factory: Sessions, smtp: Server) -> None:
    box, settings = smtp
    box.data_script.append("554 5.7.1 Rejected as spam")
    _, [email_id] = await add_sequence(session_factory, ["ana@customer.example"])
    await sweep(mail_dispatcher(session_factory, MutableClock(), settings, worker="a"))
    row = (await deliveries(session_factory, email_id))["ana@customer.example"]
    assert (row.status, row.smtp_code) == (D.FAILED, 554)


async def test_a_timeout_after_data_is_unknown_and_never_resent(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    box.data_script.append("hang")
    clock = MutableClock()
    _, [email_id] = await add_sequence(session_factory, ["ana@customer.example",
                                                         "bob@customer.example"])  # fmt: skip
    policy = dataclasses.replace(FAST, send_timeout_s=0.5)
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a", policy=policy)
    await sweep(dispatcher)
    clock.advance(minutes=10)
    await sweep(dispatcher)
    rows = await deliveries(session_factory, email_id)
    assert rows["ana@customer.example"].status == D.UNKNOWN
    assert "may have been delivered" in (rows["ana@customer.example"].error or "")
    assert rows["bob@customer.example"].status == D.SENT  # the batch went on, reconnected
    assert [m.rcpt for m in box.messages].count("ana@customer.example") == 1


async def test_a_replica_that_died_mid_send_leaves_it_unknown(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    clock = MutableClock()
    _, [email_id] = await add_sequence(session_factory, ["ana@customer.example"])
    async with session_factory.begin() as session:  # "dead" begins the send, then vanishes
        await repo.start_due_emails(session, now=NOW, limit=5, skip_locked=True)
        [claim] = await repo.claim_due(
            session, now=NOW, worker="dead", lease_until=NOW + timedelta(seconds=60), limit=5,
            skip_locked=True,
        )  # fmt: skip
        assert await repo.begin_send(
            session, claim.delivery_id, worker="dead", valid_after=NOW,
            lease_until=NOW + timedelta(seconds=30), message_id="<m@shop.example>",
        )  # fmt: skip
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    await sweep(dispatcher)  # its lease still runs: hands off
    assert (await deliveries(session_factory, email_id))["ana@customer.example"].status == (
        D.SENDING
    )
    clock.advance(seconds=31)
    await sweep(dispatcher)
    await sweep(dispatcher)
    row = (await deliveries(session_factory, email_id))["ana@customer.example"]
    assert row.status == D.UNKNOWN and "nobody knows" in (row.error or "")
    assert box.messages == []  # never resent by itself
    assert await email_status(session_factory, email_id) == "sent"


async def test_paused_or_unapproved_emails_are_not_sent(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    await add_sequence(session_factory, ["ana@customer.example"], sequence_status="paused")
    await add_sequence(session_factory, ["bob@customer.example"], status="pending")
    await add_sequence(session_factory, ["cy@customer.example"], due=NOW + timedelta(hours=1))
    await sweep(mail_dispatcher(session_factory, MutableClock(), settings, worker="a"))
    assert box.messages == []


async def test_an_unreachable_server_leaves_them_pending(session_factory: Sessions) -> None:
    settings = SMTPSettings(_env_file=None, host="127.0.0.1", port=1, starttls=False,
                            EMAIL_FROM="news@shop.example")  # fmt: skip
    _, [email_id] = await add_sequence(session_factory, ["ana@customer.example"])
    await sweep(mail_dispatcher(session_factory, MutableClock(), settings, worker="a"))
    row = (await deliveries(session_factory, email_id))["ana@customer.example"]
    assert (row.status, row.attempts, row.claimed_by) == (D.PENDING, 0, None)
    assert row.next_attempt_at is not None and row.next_attempt_at > NOW

"""Delivery counts as a user of the REST API sees them: GET /api/sequences/{id} after real
sends through aiosmtpd (one address refused), on SQLite and PostgreSQL; the send log."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import SMTPSettings
from core.mailing.delivery_log import DeliveryLog
from tests.campaigns.helpers import MutableClock
from tests.doubles.smtp_server import ScriptedSmtp
from tests.mailing.helpers import Sessions, add_sequence, mail_dispatcher, sequences_api, sweep
from tests.sequences.conftest import TOKEN, Api

Server = tuple[ScriptedSmtp, SMTPSettings]
ANA, BOB, GONE = "ana@customer.example", "bob@customer.example", "gone@customer.example"


@pytest.fixture
async def api(session_factory: Sessions) -> AsyncIterator[Api]:
    clock = MutableClock()
    app = sequences_api(session_factory, clock, TOKEN)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Api(client)
    await client.close()


async def test_get_shows_what_went_to_whom(
    api: Api, session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    box.rcpt_replies[GONE] = "550 5.1.1 No such user"
    sequence_id, [first, second] = await add_sequence(session_factory, [ANA, BOB, GONE], emails=2)
    await sweep(mail_dispatcher(session_factory, MutableClock(), settings, worker="a"))

    status, body = await api.get(f"/api/sequences/{sequence_id}")
    assert status == 200, body
    by_address = {r["email"]: r["deliveries"] for r in body["recipients"]}
    assert by_address == {ANA: {"sent": 1}, BOB: {"sent": 1}, GONE: {"failed": 1}}
    emails = {e["id"]: e for e in body["emails"]}
    assert emails[first]["deliveries"] == {"sent": 2, "failed": 1}
    assert emails[second]["deliveries"] == {}  # due tomorrow: nothing yet
    assert body["deliveries"] == {"sent": 2, "failed": 1}


async def test_a_sequence_nothing_was_sent_for_shows_empty_counts(
    api: Api, session_factory: Sessions
) -> None:
    sequence_id, _ = await add_sequence(session_factory, [ANA], status="pending")
    status, body = await api.get(f"/api/sequences/{sequence_id}")
    assert status == 200
    assert body["deliveries"] == {} and body["recipients"][0]["deliveries"] == {}


async def test_one_recipients_log_in_email_order(session_factory: Sessions, smtp: Server) -> None:
    box, settings = smtp
    clock = MutableClock()
    sequence_id, _ = await add_sequence(session_factory, [ANA, BOB], emails=2)
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    await sweep(dispatcher)
    box.rcpt_replies[ANA] = "554 5.7.1 Mailbox disabled"
    clock.advance(days=1)
    await sweep(dispatcher)
    log = DeliveryLog(session_factory)
    sends = await log.recipient_log(sequence_id, " ANA@customer.example ")
    assert [(s.email_number, s.subject, s.status, s.attempts) for s in sends] == [
        (1, "Candle tips #1", "sent", 1), (2, "Candle tips #2", "failed", 1),
    ]  # fmt: skip
    assert sends[0].at is not None and "Mailbox disabled" in (sends[1].error or "")
    assert await log.totals(sequence_id) == {"sent": 3, "failed": 1}
    assert await log.recipient_log(sequence_id, "nobody@customer.example") == ()

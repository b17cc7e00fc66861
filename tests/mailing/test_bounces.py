"""Bounce reports for emails the bot really sent (aiosmtpd), posted to the REST API as a
mail provider would: the delivery is bounced, a hard bounce suppresses the address for
every sequence, a delay is only noted, the report is stored as automatic mail with no
draft, and GET /api/sequences/{id} and the send log count the bounce. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.api.emaildesk import EmailDeskApi, mount_email_desk
from core.config import SMTPSettings
from core.emaildesk.intake import EmailIntake
from core.mailing.delivery_log import DeliveryLog
from core.orders.service import OrderService
from domain.emaildesk import InboundStatus
from domain.mailing import DeliveryStatus as D
from storage.models import EmailSuppression, InboundEmail, ReplyDraft
from tests.campaigns.helpers import NOW, MutableClock
from tests.doubles.smtp_server import ScriptedSmtp
from tests.emaildesk import automatic_samples as samples
from tests.mailing.helpers import (
    Sessions,
    add_sequence,
    deliveries,
    mail_dispatcher,
    sequences_api,
    sweep,
)
from tests.sequences.conftest import AUTH, TOKEN

Server = tuple[ScriptedSmtp, SMTPSettings]
Client = TestClient[web.Request, web.Application]
ANA, GONE = "ana@customer.example", "gone@customer.example"


@dataclass
class Desk:
    client: Client
    drafted: list[int]  # what the intake handed to the reply desk
    bounced_replies: list[int]  # reply drafts whose cards the intake asked to redraw

    async def inbound(self, raw: bytes) -> dict[str, object]:
        headers = {**AUTH, "Content-Type": "message/rfc822"}
        response = await self.client.post("/api/emails/inbound", data=raw, headers=headers)
        assert response.status == 202
        body: dict[str, object] = await response.json()
        return body

    async def sequence(self, sequence_id: int) -> dict[str, object]:
        response = await self.client.get(f"/api/sequences/{sequence_id}", headers=AUTH)
        assert response.status == 200
        body: dict[str, object] = await response.json()
        return body


@pytest.fixture
async def desk(session_factory: Sessions) -> AsyncIterator[Desk]:
    clock = MutableClock()
    app = sequences_api(session_factory, clock, TOKEN)
    intake = EmailIntake(session_factory, clock)
    drafted: list[int] = []

    async def hook(email_id: int) -> None:
        drafted.append(email_id)

    intake.on_received(hook)
    bounced: list[int] = []

    async def redraw(reply_id: int) -> None:
        bounced.append(reply_id)

    intake.on_reply_bounced(redraw)
    mount_email_desk(app, EmailDeskApi(intake, OrderService(session_factory, clock)))
    async with TestClient(TestServer(app)) as client:
        yield Desk(client, drafted, bounced)


async def _sent(sessions: Sessions, smtp: Server, emails: int = 1) -> tuple[int, list[int], str]:
    """A sequence to ana and gone, its first email sent; gone's copy's Message-ID."""
    box, settings = smtp
    sequence_id, email_ids = await add_sequence(sessions, [ANA, GONE], emails=emails)
    await sweep(mail_dispatcher(sessions, MutableClock(), settings, worker="a"))
    [copy] = box.to(GONE)
    return sequence_id, email_ids, str(copy.message["Message-ID"])


@pytest.mark.parametrize(
    "bounce", [samples.postfix_bounce, samples.gmail_bounce, samples.exim_bounce]
)
async def test_a_hard_bounce_marks_the_delivery_and_the_address_is_never_mailed_again(
    desk: Desk, session_factory: Sessions, smtp: Server, bounce: Callable[[str, str], bytes]
) -> None:
    box, settings = smtp
    sequence_id, [first, second], original = await _sent(session_factory, smtp, emails=2)
    body = await desk.inbound(bounce(original, GONE))
    assert body["status"] == "automatic" and desk.drafted == []
    reason = str(body["reason"])
    assert "5.1.1" in reason and "bounced" in reason and "no sequence mails it again" in reason

    rows = await deliveries(session_factory, first)
    assert (rows[GONE].status, rows[GONE].bounce_status) == (D.BOUNCED, "5.1.1")
    assert rows[ANA].status == D.SENT
    async with session_factory() as session:
        [suppression] = await session.scalars(select(EmailSuppression))
        stored = await session.get(InboundEmail, body["id"])
    assert (suppression.address, suppression.reason) == (GONE, "bounced")
    assert stored is not None and stored.status == InboundStatus.AUTOMATIC
    assert (stored.automatic_kind, stored.automatic_reason) == ("bounce", reason)

    view = await desk.sequence(sequence_id)
    assert view["deliveries"] == {"sent": 1, "bounced": 1}
    problems = await DeliveryLog(session_factory).problems(sequence_id)
    assert [(p.recipient, p.status) for p in problems] == [(GONE, "bounced")]
    assert "5.1.1" in (problems[0].error or "")

    clock = MutableClock()
    clock.advance(days=1)  # the next email: not to the bounced address
    await sweep(mail_dispatcher(session_factory, clock, settings, worker="a"))
    assert len(box.to(GONE)) == 1 and len(box.to(ANA)) == 2
    assert (await deliveries(session_factory, second))[GONE].status == D.SUPPRESSED

    again = await desk.inbound(bounce(original, GONE))  # the same report twice
    assert again["duplicate"] is True and again["id"] == body["id"]


async def test_a_delay_is_noted_and_a_4xx_failure_bounces_without_suppressing(
    desk: Desk, session_factory: Sessions, smtp: Server
) -> None:
    sequence_id, [email_id], original = await _sent(session_factory, smtp)
    delayed = samples.postfix_bounce(original, GONE, status="4.4.1", action="delayed")
    body = await desk.inbound(delayed)
    assert body["status"] == "automatic" and "delayed" in str(body["reason"])
    row = (await deliveries(session_factory, email_id))[GONE]
    assert (row.status, row.bounce_status) == (D.SENT, "4.4.1")
    problems = await DeliveryLog(session_factory).problems(sequence_id)
    assert [(p.recipient, p.status) for p in problems] == [(GONE, "delayed")]

    await desk.inbound(samples.postfix_bounce(original, GONE, status="4.4.1"))
    row = (await deliveries(session_factory, email_id))[GONE]
    assert (row.status, row.bounce_status) == (D.BOUNCED, "4.4.1")
    async with session_factory() as session:
        assert list(await session.scalars(select(EmailSuppression))) == []
    assert (await desk.sequence(sequence_id))["deliveries"] == {"sent": 1, "bounced": 1}


async def test_a_bounce_of_a_reply_desk_reply_marks_it_and_a_stranger_s_changes_nothing(
    desk: Desk, session_factory: Sessions
) -> None:
    async with session_factory.begin() as session:
        email = InboundEmail(source="api", dedupe_key="mid:<q@x>", from_address=GONE,
                             subject="Where is my order?", received_at=NOW)  # fmt: skip
        session.add(email)
        await session.flush()
        draft = ReplyDraft(email_id=email.id, status="sent", message_id="<reply-7@shop.example>")
        session.add(draft)
    delayed = samples.postfix_bounce("<reply-7@shop.example>", GONE, status="4.4.1",
                                     action="delayed")  # fmt: skip
    await desk.inbound(delayed)  # may still arrive: the reply is left as it is
    assert desk.bounced_replies == []
    body = await desk.inbound(samples.postfix_bounce("<reply-7@shop.example>", GONE))
    assert f"about the reply to {GONE} (customer email #{email.id})" in str(body["reason"])
    assert desk.bounced_replies == [draft.id]
    async with session_factory() as session:
        marked = await session.get(ReplyDraft, draft.id)
    assert marked is not None and marked.status == "sent"
    assert (marked.error or "").startswith("Bounced (5.1.1): 550 5.1.1")
    body = await desk.inbound(samples.gmail_bounce("<never-ours@elsewhere.example>", GONE))
    assert "not about an email the bot sent" in str(body["reason"])
    async with session_factory() as session:
        assert list(await session.scalars(select(EmailSuppression))) == []
    assert desk.drafted == []


@pytest.mark.parametrize(
    "raw", [samples.EXCHANGE_OUT_OF_OFFICE, samples.GMAIL_VACATION, samples.MAILING_LIST]
)
async def test_auto_replies_and_lists_are_stored_without_a_draft(
    desk: Desk, session_factory: Sessions, raw: bytes
) -> None:
    body = await desk.inbound(raw)
    assert body["status"] == "automatic" and body["reason"] and desk.drafted == []
    async with session_factory() as session:
        stored = await session.get(InboundEmail, body["id"])
    assert stored is not None and stored.status == InboundStatus.AUTOMATIC
    person = await desk.inbound(samples.PERSON_OUT_OF_OFFICE)
    assert person["status"] == "received" and desk.drafted == [person["id"]]

"""Sending approved replies to a real aiosmtpd: threading, injection, 4xx, 5xx, unknown."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import SMTPSettings
from core.emaildesk.reply_views import ReplyView
from core.errors import AlreadyDecided
from domain.email_replies import ReplyStatus
from storage.models import InboundEmail
from storage.repos import email_replies as repo
from tests.doubles.smtp_server import ScriptedSmtp
from tests.email_replies.support import Desk, answer, desk_on, receive, triage

ADMIN = 1001


async def _approved(d: Desk, **email: object) -> ReplyView:
    d.llm.queue(triage(), answer())
    await receive(d, **email)
    await d.engine.idle()
    view = d.shown.updates[-1].view
    return await d.desk.approve(view.id, view.revision, ADMIN)


async def _send(d: Desk, reply_id: int) -> ReplyView:
    d.engine.send_soon(reply_id)
    await d.engine.idle()
    return await d.desk.get(reply_id)


async def test_the_reply_threads_under_the_customers_mail(
    d: Desk, smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    box = smtp[0]
    approved = await _approved(d, references="<m0@shop.example> <m1@shop.example>")
    sent = await _send(d, approved.id)
    assert sent.status is ReplyStatus.SENT and sent.sent_at is not None
    (received,) = box.messages
    assert received.rcpt == "ana@example.com"
    message = received.message
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Re: Order A-1001 arrived broken"
    assert message["Message-ID"] == f"<reply-{approved.id}@shop.example>" == sent.message_id
    assert message["In-Reply-To"] == "<m2@mail.example.com>"
    assert message["References"] == "<m0@shop.example> <m1@shop.example> <m2@mail.example.com>"
    assert message.get_content_type() == "multipart/alternative"
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and "arrived broken" in text.get_content()
    assert html is not None and "<p>Dear Ana,</p>" in html.get_content()
    assert d.shown.updates[-1].view.status is ReplyStatus.SENT


async def test_a_line_break_in_a_header_is_refused_and_nothing_is_sent(
    d: Desk,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    approved = await _approved(d)
    # The intake refuses such a subject; the sender checks again whatever is stored.
    async with session_factory.begin() as session:
        await session.execute(update(InboundEmail).values(subject="Hi\r\nBcc: all@victims.example"))
    failed = await _send(d, approved.id)
    assert failed.status is ReplyStatus.FAILED and failed.error is not None
    assert "line break" in failed.error and smtp[0].messages == []


async def test_a_4xx_is_tried_again_after_a_wait_with_the_same_message_id(
    d: Desk, smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    box = smtp[0]
    box.data_script.append("451 4.3.0 Try again later")
    approved = await _approved(d)
    waiting = await _send(d, approved.id)
    assert waiting.status is ReplyStatus.APPROVED and waiting.next_attempt_at is not None
    assert waiting.error is not None and "451" in waiting.error and box.messages == []
    await d.engine.sweep()  # not yet
    await d.engine.idle()
    assert box.messages == []
    d.clock.advance(61)
    await d.engine.sweep()
    await d.engine.idle()
    (received,) = box.messages
    assert received.message["Message-ID"] == f"<reply-{approved.id}@shop.example>"
    assert (await d.desk.get(approved.id)).status is ReplyStatus.SENT


async def test_4xx_every_time_ends_failed(d: Desk, smtp: tuple[ScriptedSmtp, SMTPSettings]) -> None:
    smtp[0].data_script.extend(["451 4.3.0 Try again later"] * 3)
    approved = await _approved(d)
    for wait in (0, 61, 301):
        d.clock.advance(wait)
        await d.engine.sweep()
        await d.engine.idle()
    failed = await d.desk.get(approved.id)
    assert failed.status is ReplyStatus.FAILED and failed.error is not None
    assert "Gave up after 3 tries" in failed.error


async def test_a_5xx_fails_with_the_reason_and_retry_sends_it(
    d: Desk, smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    box = smtp[0]
    box.data_script.append("554 5.7.1 Message rejected as spam")
    approved = await _approved(d)
    failed = await _send(d, approved.id)
    assert failed.status is ReplyStatus.FAILED and failed.error is not None
    assert "554" in failed.error and "spam" in failed.error and box.messages == []
    await d.engine.sweep()  # a failed reply is never picked up by itself
    await d.engine.idle()
    assert box.messages == []
    retried = await d.desk.retry(failed.id, failed.revision, ADMIN)
    assert (await _send(d, retried.id)).status is ReplyStatus.SENT and len(box.messages) == 1


async def test_a_timeout_after_data_is_unknown_and_never_resent_blindly(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    box = smtp[0]
    box.hang_s = 3
    box.data_script.append("hang")
    d = await desk_on(session_factory, smtp[1], timeout_s=0.5)
    approved = await _approved(d)
    unknown = await _send(d, approved.id)
    assert unknown.status is ReplyStatus.UNKNOWN and len(box.messages) == 1
    d.clock.advance(3600)
    await d.engine.sweep()
    await d.engine.idle()
    assert len(box.messages) == 1
    again = await d.desk.send_again(unknown.id, unknown.revision, ADMIN)
    sent = await _send(d, again.id)
    assert sent.status is ReplyStatus.SENT and len(box.messages) == 2
    first, second = (m.message["Message-ID"] for m in box.messages)
    assert first == second  # the same message: the receiver can drop a duplicate


async def test_it_was_sent_settles_an_unknown_without_sending(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    smtp[0].data_script.append("drop")
    d = await desk_on(session_factory, smtp[1])
    unknown = await _send(d, (await _approved(d)).id)
    assert unknown.status is ReplyStatus.UNKNOWN
    sent = await d.desk.confirm_sent(unknown.id, unknown.revision, ADMIN)
    assert sent.status is ReplyStatus.SENT and len(smtp[0].messages) == 1


async def test_a_double_approve_and_a_stale_card_change_nothing(d: Desk) -> None:
    d.llm.queue(triage(), answer())
    await receive(d)
    await d.engine.idle()
    view = d.shown.updates[-1].view
    edited = await d.desk.edit(view.id, view.revision, "Hi Ana, sorry! The team", ADMIN)
    with pytest.raises(AlreadyDecided):  # the card showed the text before the edit
        await d.desk.approve(view.id, view.revision, ADMIN)
    await d.desk.approve(edited.id, edited.revision, ADMIN)
    with pytest.raises(AlreadyDecided, match="already approved"):
        await d.desk.approve(edited.id, edited.revision, ADMIN)


async def test_two_senders_send_one_reply_once(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    a = await desk_on(session_factory, smtp[1], owner="a")
    b = await desk_on(session_factory, smtp[1], owner="b", clock=a.clock)
    approved = await _approved(a)
    a.engine.send_soon(approved.id)
    b.engine.send_soon(approved.id)
    await a.engine.idle()
    await b.engine.idle()
    assert len(smtp[0].messages) == 1


async def test_a_send_a_dead_worker_left_becomes_unknown(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    d = await desk_on(session_factory, smtp[1])
    approved = await _approved(d)
    async with session_factory.begin() as session:  # what a worker killed mid-send leaves
        await repo.claim_send(session, approved.id, owner="dead", until=d.clock.now(),
                              now=d.clock.now(), message_id="<reply-x@shop.example>")  # fmt: skip
    d.clock.advance(1)
    await d.engine.sweep()
    await d.engine.idle()
    view = d.shown.updates[-1].view
    assert view.status is ReplyStatus.UNKNOWN and view.error is not None
    assert "may or may not have gone out" in view.error and smtp[0].messages == []


async def test_a_reply_waiting_for_another_try_can_be_called_off(
    d: Desk, smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    smtp[0].data_script.append("421 4.7.0 Greylisted, come back later")
    waiting = await _send(d, (await _approved(d)).id)
    assert waiting.status is ReplyStatus.APPROVED
    rejected = await d.desk.reject(waiting.id, waiting.revision, ADMIN)
    assert rejected.status is ReplyStatus.REJECTED
    d.clock.advance(3600)
    await d.engine.sweep()
    await d.engine.idle()
    assert smtp[0].messages == [] and (await d.desk.get(waiting.id)).status is ReplyStatus.REJECTED

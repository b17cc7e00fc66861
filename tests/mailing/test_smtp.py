"""Sending through a real SMTP server (aiosmtpd): success, 4xx, 5xx, timeout after DATA."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest

from core.config import SMTPSettings
from core.errors import FeatureOff
from core.mailing.errors import MailOutcomeUnknown, MailRejected, MailTransient
from core.mailing.outgoing import OutgoingEmail, build_message
from core.mailing.smtp import SmtpSender, send_one
from tests.doubles.smtp_server import SENDER, ScriptedSmtp
from tests.e2e.harness import free_port

Server = tuple[ScriptedSmtp, SMTPSettings]


def _message(to: str = "ana@customer.example", n: int = 1) -> EmailMessage:
    email = OutgoingEmail(to, f"Hello {n}", "Body", message_id=f"<m{n}@shop.example>")
    return build_message(email, sender=SENDER)


async def test_one_message_goes_out(smtp: Server) -> None:
    box, settings = smtp
    assert await send_one(settings, _message(), timeout_s=5) == "<m1@shop.example>"
    [got] = box.messages
    assert got.rcpt == "ana@customer.example"
    assert got.message["Subject"] == "Hello 1" and got.message["From"] == SENDER


async def test_a_batch_reuses_one_connection(smtp: Server) -> None:
    box, settings = smtp
    async with SmtpSender(settings, timeout_s=5) as sender:
        for n in range(5):
            await sender.send(_message(f"r{n}@customer.example", n))
    assert [m.rcpt for m in box.messages] == [f"r{n}@customer.example" for n in range(5)]
    assert box.connections == 1


async def test_a_refused_recipient_is_rejected_and_the_batch_goes_on(smtp: Server) -> None:
    box, settings = smtp
    box.rcpt_replies["gone@customer.example"] = "550 5.1.1 No such user"
    async with SmtpSender(settings, timeout_s=5) as sender:
        with pytest.raises(MailRejected, match="refused the recipient: 550") as caught:
            await sender.send(_message("gone@customer.example"))
        assert caught.value.code == 550
        await sender.send(_message("ana@customer.example", 2))
    assert [m.rcpt for m in box.messages] == ["ana@customer.example"]
    assert box.connections == 1


async def test_a_4xx_recipient_is_transient(smtp: Server) -> None:
    box, settings = smtp
    box.rcpt_replies["busy@customer.example"] = "451 4.7.1 Greylisted, try later"
    with pytest.raises(MailTransient, match="try later: 451") as caught:
        await send_one(settings, _message("busy@customer.example"), timeout_s=5)
    assert caught.value.code == 451 and not box.messages


async def test_a_4xx_after_data_is_transient(smtp: Server) -> None:
    box, settings = smtp
    box.data_script.append("452 4.3.1 Insufficient system storage")
    with pytest.raises(MailTransient, match="452"):
        await send_one(settings, _message(), timeout_s=5)
    assert not box.messages


async def test_a_5xx_after_data_is_rejected(smtp: Server) -> None:
    box, settings = smtp
    box.data_script.append("554 5.7.1 Message rejected as spam")
    with pytest.raises(MailRejected, match=r"554 5\.7\.1 Message rejected as spam"):
        await send_one(settings, _message(), timeout_s=5)


async def test_a_timeout_after_data_is_unknown(smtp: Server) -> None:
    box, settings = smtp
    box.data_script.append("hang")
    started = time.monotonic()
    with pytest.raises(MailOutcomeUnknown, match="may have been delivered"):
        await send_one(settings, _message(), timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert len(box.messages) == 1  # the server had it: resending would duplicate it


async def test_a_dropped_connection_after_data_is_unknown_and_the_next_reconnects(
    smtp: Server,
) -> None:
    box, settings = smtp
    box.data_script.append("drop")
    async with SmtpSender(settings, timeout_s=5) as sender:
        with pytest.raises(MailOutcomeUnknown):
            await sender.send(_message())
        await sender.send(_message("bob@customer.example", 2))
    assert [m.rcpt for m in box.messages] == ["ana@customer.example", "bob@customer.example"]
    assert box.connections == 2


async def test_no_server_is_transient() -> None:
    settings = SMTPSettings(_env_file=None, host="127.0.0.1", port=free_port(), starttls=False,
                            EMAIL_FROM=SENDER)  # fmt: skip
    with pytest.raises(MailTransient, match="could not be reached"):
        await send_one(settings, _message(), timeout_s=2)


def test_without_smtp_settings_sending_is_off() -> None:
    with pytest.raises(FeatureOff, match="SMTP_HOST and EMAIL_FROM"):
        SmtpSender(SMTPSettings(_env_file=None), timeout_s=5)

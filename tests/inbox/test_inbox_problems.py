"""When the inbox can't be read: a line that says why and what to change, the admins told
once, and the polls going on until it works again (then they hear that too)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import SystemClock
from core.emaildesk.inbox_poller import InboxAlert, InboxPoller
from core.emaildesk.intake import EmailIntake
from core.emaildesk.mailbox import InboxProblem
from tests.doubles.dovecot import Account
from tests.inbox.support import mail, mailbox, reader, stored


async def _problem(
    account: Account, sessions: async_sessionmaker[AsyncSession], **how: object
) -> InboxProblem:
    with pytest.raises(InboxProblem) as caught:
        await reader(sessions, mailbox(account, **how)).poll()  # type: ignore[arg-type]
    return caught.value


async def test_a_wrong_password_is_named_and_not_shown(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    problem = await _problem(imap_account, session_factory, password="not-the-password")

    assert f"refused the login of {imap_account.username}" in problem.detail
    assert "AUTHENTICATIONFAILED" in problem.detail  # the server's own words
    assert "IMAP_PASSWORD" in problem.fix and "app password" in problem.fix
    assert "not-the-password" not in problem.detail + problem.fix


async def test_tls_is_read_with_a_trusted_certificate(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    imap_account.append(mail(1))

    result = await reader(session_factory, mailbox(imap_account, tls=True)).poll()

    assert result.read == 1
    assert [row.subject for row in await stored(session_factory)] == ["Question 1"]


async def test_an_untrusted_certificate_is_refused(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    problem = await _problem(imap_account, session_factory, tls=True, trust=False)

    assert "TLS certificate is not trusted" in problem.detail
    assert "self-signed" in problem.detail or "self signed" in problem.detail
    assert "IMAP_HOST" in problem.fix


async def test_tls_against_a_plain_port_says_which_port(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    plain = imap_account.server.imap_port
    problem = await _problem(imap_account, session_factory, tls=True, port=plain)

    assert f"127.0.0.1:{plain} (TLS): TLS failed" in problem.detail
    assert "993" in problem.fix and "IMAP_TLS=false" in problem.fix


async def test_an_unreachable_server_is_named(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    problem = await _problem(imap_account, session_factory, port=1)

    assert problem.detail.startswith("can't reach 127.0.0.1:1 (no TLS)")
    assert "IMAP_HOST and IMAP_PORT" in problem.fix


async def test_a_missing_folder_is_named(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    problem = await _problem(imap_account, session_factory, folder="Support")

    assert "can't open the folder 'Support'" in problem.detail
    assert "IMAP_FOLDER" in problem.fix


async def test_another_folder_with_a_non_ascii_name_is_read(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    imap_account.create_folder("Kundenanfragen &&-Rückfragen")
    imap_account.save(mail(1), folder="Kundenanfragen &&-Rückfragen")
    imap_account.append(mail(2))  # in INBOX: not this reader's

    box = mailbox(imap_account, folder="Kundenanfragen &&-Rückfragen")
    result = await reader(session_factory, box).poll()

    assert result.read == 1
    assert [row.subject for row in await stored(session_factory)] == ["Question 1"]


async def test_the_admins_hear_of_a_problem_once_and_of_its_end(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    alerts: list[InboxAlert] = []

    async def alert(sent: InboxAlert) -> None:
        alerts.append(sent)

    wrong = reader(session_factory, mailbox(imap_account, port=1))
    failing = InboxPoller(wrong, interval_s=60, alert=alert)
    pauses = [await failing.poll_once() for _ in range(3)]

    assert pauses == [60, 120, 240]  # it keeps trying, less and less often
    assert len(alerts) == 1
    assert alerts[0].problem is not None and "can't reach 127.0.0.1:1" in alerts[0].problem
    assert "IMAP_PORT" in alerts[0].fix

    imap_account.append(mail(1))
    fixed = InboxPoller(reader(session_factory, mailbox(imap_account)), interval_s=60, alert=alert)
    assert await fixed.poll_once() == 60
    assert await fixed.poll_once() == 60

    assert len(alerts) == 2
    assert alerts[1].problem is None  # reading again
    assert alerts[1].mailbox == f"{imap_account.username} at 127.0.0.1 (INBOX)"
    assert len(await stored(session_factory)) == 1


async def test_the_poller_reads_new_mail_until_stopped(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async def alert(sent: InboxAlert) -> None:
        raise AssertionError(f"no problem expected: {sent}")

    received = asyncio.Event()
    intake = EmailIntake(session_factory, SystemClock())

    async def on_received(email_id: int) -> None:
        received.set()

    intake.on_received(on_received)
    box = mailbox(imap_account)
    poller = InboxPoller(reader(session_factory, box, intake=intake), interval_s=0.1, alert=alert)
    poller.start()
    try:
        imap_account.append(mail(1))
        async with asyncio.timeout(10):
            await received.wait()
    finally:
        await poller.stop()
    imap_account.append(mail(2))
    await asyncio.sleep(0.3)

    assert [row.subject for row in await stored(session_factory)] == ["Question 1"]


async def test_an_alert_nobody_got_is_sent_again(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    attempts: list[InboxAlert] = []

    async def alert(sent: InboxAlert) -> None:
        attempts.append(sent)
        if len(attempts) == 1:
            raise RuntimeError("no admin could be told")  # Telegram was away

    poller = InboxPoller(
        reader(session_factory, mailbox(imap_account, port=1)), interval_s=60, alert=alert
    )
    await poller.poll_once()
    await poller.poll_once()
    await poller.poll_once()

    assert len(attempts) == 2  # failed, then told; not again after that

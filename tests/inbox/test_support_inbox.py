"""The support inbox against a real Dovecot, on SQLite and PostgreSQL, with the real intake.

What a shop owner relies on: each mail becomes one stored email (once, across restarts
and replicas), the mailbox looks exactly as before (nothing marked read, nothing gone),
and a mail that can't be read is recorded with the reason instead of stopping the rest.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.emaildesk import MAX_EMAIL_BYTES, EmailSource, InboundStatus
from tests.doubles.dovecot import Account
from tests.inbox.support import cursor, mail, mailbox, reader, stored


async def test_each_mail_is_stored_once_across_restarts(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    imap_account.append(mail(1))
    imap_account.append(mail(2))
    box = mailbox(imap_account)

    first = await reader(session_factory, box).poll()
    restarted = await reader(session_factory, box).poll()  # a new process, same database
    third_uid = imap_account.append(mail(3))
    later = await reader(session_factory, box).poll()

    assert (first.read, restarted.read, later.read) == (2, 0, 1)
    rows = await stored(session_factory)
    assert [row.subject for row in rows] == ["Question 1", "Question 2", "Question 3"]
    assert {row.source for row in rows} == {EmailSource.IMAP.value}
    assert rows[0].from_address == "customer1@example.org"
    validity = (await cursor(session_factory)).uidvalidity
    assert rows[2].source_ref == (
        f"imap://{imap_account.username.replace('@', '%40')}@127.0.0.1/INBOX"
        f";UIDVALIDITY={validity}/;UID={third_uid}"
    )
    assert (await cursor(session_factory)).last_uid == third_uid


async def test_the_mailbox_is_left_as_it_was(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    uids = [imap_account.append(mail(n)) for n in (1, 2)]

    result = await reader(session_factory, mailbox(imap_account)).poll()

    assert result.read == 2
    assert imap_account.count() == 2  # nothing deleted or moved
    for uid in uids:
        assert "\\Seen" not in imap_account.flags(uid)  # the owner still sees them as new
        assert "\\Deleted" not in imap_account.flags(uid)


async def test_a_bad_mail_is_recorded_and_the_next_one_still_read(
    imap_account: Account,
    session_factory: async_sessionmaker[AsyncSession],
    dovecot: object,
) -> None:
    big_body = "x" * 76 + "\r\n"
    big = mail(1, subject="Photos of the damage", body=big_body * (MAX_EMAIL_BYTES // 78 + 1000))
    assert len(big) > MAX_EMAIL_BYTES
    imap_account.append(big)
    imap_account.append(b"Subject: no sender at all\r\n\r\nWho am I?\r\n")
    imap_account.append(mail(3))

    result = await reader(session_factory, mailbox(imap_account)).poll()

    assert result.read == 3
    too_big, no_sender, fine = await stored(session_factory)
    assert too_big.status == InboundStatus.UNREADABLE.value
    assert too_big.subject == "Photos of the damage"  # so the owner can find it
    assert "over 10 MB" in (too_big.unreadable_reason or "")
    assert "not downloaded" in (too_big.unreadable_reason or "")
    assert too_big.raw_size == len(big)
    assert no_sender.status == InboundStatus.UNREADABLE.value
    assert "From" in (no_sender.unreadable_reason or "")
    assert fine.status == InboundStatus.RECEIVED.value
    assert fine.subject == "Question 3"


async def test_a_big_mail_is_not_downloaded(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from tests.doubles.dovecot import DovecotServer

    server: DovecotServer = imap_account.server
    imap_account.append(mail(1, body="y" * (MAX_EMAIL_BYTES + 10)))

    await reader(session_factory, mailbox(imap_account)).poll()

    # Dovecot logs what each session sent: the bytes of a 10 MB mail would be there.
    sent = [
        int(found.group(1))
        for line in server.log().splitlines()
        if imap_account.username in line and (found := re.search(r" out=(\d+)", line))
    ]
    assert sent, server.log()[-2000:]
    assert max(sent) < 100_000


async def test_a_renumbered_folder_is_read_again_without_duplicates(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    imap_account.append(mail(1))
    imap_account.append(mail(2))
    box = mailbox(imap_account)
    await reader(session_factory, box).poll()
    before = (await cursor(session_factory)).uidvalidity
    assert before is not None

    imap_account.set_uidvalidity(before + 1000)  # as a restored mailbox would
    imap_account.append(mail(3))
    result = await reader(session_factory, box).poll()

    assert result.read == 3  # all read again: the old UIDs mean nothing now
    rows = await stored(session_factory)
    assert [row.subject for row in rows] == ["Question 1", "Question 2", "Question 3"]
    after = await cursor(session_factory)
    assert after.uidvalidity == before + 1000
    assert (await reader(session_factory, box).poll()).read == 0


async def test_a_first_look_skips_old_mail(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    imap_account.append(mail(1), at=datetime.now(UTC) - timedelta(days=30))
    imap_account.append(mail(2))

    result = await reader(session_factory, mailbox(imap_account)).poll()

    assert result.read == 1
    assert [row.subject for row in await stored(session_factory)] == ["Question 2"]


async def test_two_replicas_store_each_mail_once(
    imap_account: Account, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    for number in range(1, 6):
        imap_account.append(mail(number))
    box = mailbox(imap_account)

    results = await asyncio.gather(
        reader(session_factory, box, owner="replica-a").poll(),
        reader(session_factory, box, owner="replica-b").poll(),
    )

    assert sum(result.read for result in results) == 5
    assert len(await stored(session_factory)) == 5

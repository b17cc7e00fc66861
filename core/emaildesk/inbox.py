"""The support inbox, read: each new mail handed to the email intake once, whatever restarts.

One poll:
1. takes the mailbox's lease, so one replica reads it (another one skips that round);
2. opens the folder read-only and decides where to start:
   - the cursor's UIDVALIDITY is the folder's: every UID above the last one handed over;
   - a first look (a new cursor): mail that arrived in the last FIRST_LOOK_DAYS days, not
     years of history, each of which would become a reply draft;
   - a new UIDVALIDITY (the server renumbered the folder, e.g. it was restored or
     rebuilt): the old UIDs mean nothing, so mail since the day before the last good
     poll is read again, and the intake recognises what it stored by Message-ID;
3. hands each message to the intake in UID order and moves the cursor past it only
   after the intake committed it. A crash in between reads that one mail again; the
   intake stores it once (same source ref).

A message over MAX_EMAIL_BYTES is not downloaded: its size comes first (RFC822.SIZE), and
it is recorded as unreadable with its subject so a person can look for it in the mailbox.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.emaildesk.intake import EmailIntake
from core.emaildesk.mailbox import Mailbox, MailboxSession
from core.emaildesk.parse import too_big
from domain.emaildesk import MAX_EMAIL_BYTES, EmailSource
from storage.models import ImapCursor
from storage.repos import imap_cursors as repo

log = logging.getLogger(__name__)

FIRST_LOOK_DAYS = 3
# Messages handed over per poll; more waiting means the next poll comes at once. It keeps
# one poll short, so a stop or a lost connection costs little.
BATCH = 100
# Renewed with every message handed over; a reader that died frees the mailbox after it.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class PollResult:
    read: int = 0
    """Messages handed to the intake (new or already stored)."""
    more: bool = False
    """More are waiting than one poll takes: poll again now."""
    skipped: bool = False
    """Another reader holds the mailbox's lease."""
    recovered_from: str | None = None
    """The problem this poll ended (the inbox is read again)."""


class InboxReader:
    def __init__(
        self,
        mailbox: Mailbox,
        intake: EmailIntake,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        owner: str | None = None,
    ) -> None:
        self._mailbox = mailbox
        self._intake = intake
        self._sessions = sessions
        self._clock = clock
        self._owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @property
    def mailbox(self) -> Mailbox:
        return self._mailbox

    async def poll(self) -> PollResult:
        """Read what is new. InboxProblem when the server can't be reached or read."""
        cursor = await self._cursor()
        if not await self._claim(cursor.id):
            return PollResult(skipped=True)
        try:
            async with self._mailbox.session() as box:
                result = await self._read(cursor, box)
            async with self._sessions.begin() as session:
                recovered = await repo.mark_read(session, cursor.id, at=self._clock.now())
            return replace(result, recovered_from=recovered)
        finally:
            async with self._sessions.begin() as session:
                await repo.release(session, cursor.id, owner=self._owner)

    async def note_problem(self, problem: str) -> bool:
        """Remember what keeps the inbox from being read; True when the admins should hear it."""
        cursor = await self._cursor()
        async with self._sessions.begin() as session:
            return await repo.note_problem(
                session, cursor.id, problem=problem, at=self._clock.now()
            )

    async def forget_problem(self, problem: str) -> None:
        """The admins could not be told: let the next poll that meets it try again."""
        cursor = await self._cursor()
        async with self._sessions.begin() as session:
            await repo.forget_problem(session, cursor.id, problem=problem)

    async def _cursor(self) -> ImapCursor:
        address = self._mailbox.address
        async with self._sessions.begin() as session:
            return await repo.get_or_create(
                session,
                host=address.host,
                username=address.username,
                folder=address.folder,
                at=self._clock.now(),
            )

    async def _claim(self, cursor_id: int) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            return await repo.claim(
                session, cursor_id, owner=self._owner, at=now, until=now + LEASE
            )

    async def _read(self, cursor: ImapCursor, box: MailboxSession) -> PollResult:
        uids = await self._pending(cursor, box)
        batch = uids[:BATCH]
        sizes = await box.sizes(batch) if batch else {}
        read = 0
        for uid in batch:
            if uid in sizes:  # else expunged since it was listed: nothing to read
                await self._take(box, uid, sizes[uid])
                read += 1
            if not await self._advance(cursor.id, box.uidvalidity, uid):
                log.warning("lost the lease on %s; another reader goes on", self._mailbox.address)
                return PollResult(read=read)
        return PollResult(read=read, more=len(uids) > BATCH)

    async def _pending(self, cursor: ImapCursor, box: MailboxSession) -> list[int]:
        if cursor.uidvalidity == box.uidvalidity:
            return await box.uids_after(cursor.last_uid)
        since = self._restart_day(cursor)
        if cursor.uidvalidity is not None:
            log.warning(
                "%s has a new UIDVALIDITY (%s, was %s): reading its mail since %s again; "
                "mail already stored is recognised by its Message-ID",
                self._mailbox.address, box.uidvalidity, cursor.uidvalidity, since,
            )  # fmt: skip
        uids = await box.uids_since(since)
        start = uids[0] - 1 if uids else box.uidnext - 1
        async with self._sessions.begin() as session:
            await repo.restart(
                session,
                cursor.id,
                owner=self._owner,
                uidvalidity=box.uidvalidity,
                last_uid=start,
                at=self._clock.now(),
            )
        return uids

    def _restart_day(self, cursor: ImapCursor) -> date:
        if cursor.uidvalidity is None or cursor.polled_at is None:
            return (self._clock.now() - timedelta(days=FIRST_LOOK_DAYS)).date()
        # IMAP's SINCE compares dates in the server's zone: a day's margin covers it.
        return (cursor.polled_at - timedelta(days=1)).date()

    async def _take(self, box: MailboxSession, uid: int, size: int) -> None:
        ref = self._mailbox.address.message_ref(box.uidvalidity, uid)
        if size > MAX_EMAIL_BYTES:
            await self._too_big(box, uid, size, ref)
            return
        raw = await box.fetch(uid)
        if raw is None:
            return  # expunged between listing and fetching
        try:
            await self._intake.receive_raw(raw, source=EmailSource.IMAP, source_ref=ref)
        except SQLAlchemyError:
            raise  # the database is the problem, not the mail: this mail is read again
        except Exception as error:
            # The intake records bad mail itself; anything it did not foresee must still
            # not stall the inbox behind this one message for ever.
            log.exception("reading %s failed", ref)
            reason = f"could not be read ({type(error).__name__}: {error})"
            await self._intake.record_unreadable(EmailSource.IMAP, ref, reason[:500], size=len(raw))

    async def _too_big(self, box: MailboxSession, uid: int, size: int, ref: str) -> None:
        reason = too_big(size) + " It was not downloaded: read it in the mailbox itself."
        subject = await box.subject(uid)
        await self._intake.record_unreadable(
            EmailSource.IMAP, ref, reason, size=size, subject=subject
        )

    async def _advance(self, cursor_id: int, uidvalidity: int, uid: int) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            return await repo.advance(
                session, cursor_id, owner=self._owner, uidvalidity=uidvalidity, uid=uid,
                at=now, lease_until=now + LEASE,
            )  # fmt: skip

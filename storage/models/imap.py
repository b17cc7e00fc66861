"""Where the support inbox was read up to: one cursor per mailbox (host, login, folder).

IMAP numbers a folder's messages with UIDs that only grow, valid for one UIDVALIDITY.
The cursor keeps the last UID handed to the email intake; it moves one message at a time,
after the intake committed that message. A crash in between reads that one message again
and the intake stores it once (its source ref, which carries UIDVALIDITY and UID, is
unique), so no per-UID ledger is needed.

The lease lets one replica at a time read a mailbox (two would download every mail
twice); the problem columns make an outage alert the admins once, not at every poll.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow


class ImapCursor(Base):
    __tablename__ = "imap_cursors"
    __table_args__ = (UniqueConstraint("host", "username", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(255))
    folder: Mapped[str] = mapped_column(String(255))
    # None until the folder was first opened.
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    # The last poll that got through; a new UIDVALIDITY re-reads the folder from its day.
    polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What keeps the inbox from being read, since when; None while it works.
    problem: Mapped[str | None] = mapped_column(String(500))
    problem_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

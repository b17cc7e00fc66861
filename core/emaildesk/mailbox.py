"""What the inbox reader needs from an IMAP server, as a protocol.

bot/adapters/imap_inbox.py implements it with aioimaplib; core never speaks IMAP itself.
A session opens the folder read-only (EXAMINE) and fetches with BODY.PEEK[], so
nothing we do can set \\Seen, and the protocol has no way to delete, move or flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import quote


@dataclass(frozen=True)
class MailboxAddress:
    """Which mailbox: the cursor's key, and how a mail read from it is referred to."""

    host: str
    username: str
    folder: str

    def message_ref(self, uidvalidity: int, uid: int) -> str:
        """An IMAP URL (RFC 5092) naming one message; the intake stores a ref once."""
        user, folder = quote(self.username, safe=""), quote(self.folder, safe="/")
        return f"imap://{user}@{self.host}/{folder};UIDVALIDITY={uidvalidity}/;UID={uid}"

    def __str__(self) -> str:
        return f"{self.username} at {self.host} ({self.folder})"


class InboxProblem(Exception):
    """The inbox can't be read: one line saying what, and what to change.

    Never carries the password. `str()` is the line shown to the admins and logged.
    """

    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


class MailboxSession(Protocol):
    """One logged-in connection with the folder open read-only."""

    @property
    def uidvalidity(self) -> int: ...

    @property
    def uidnext(self) -> int:
        """The UID the next message will get (every UID in the folder is below it)."""
        ...

    @property
    def exists(self) -> int:
        """How many messages the folder holds."""
        ...

    async def uids_after(self, uid: int) -> list[int]:
        """UIDs above `uid`, ascending."""
        ...

    async def uids_since(self, day: date) -> list[int]:
        """UIDs of messages that arrived on or after `day` (the server's date), ascending."""
        ...

    async def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """RFC822.SIZE of each message still there (an expunged one is left out)."""
        ...

    async def subject(self, uid: int) -> str | None:
        """Only the Subject header, for a message too big to download."""
        ...

    async def fetch(self, uid: int) -> bytes | None:
        """The whole message without setting \\Seen; None when it was expunged meanwhile."""
        ...


class Mailbox(Protocol):
    address: MailboxAddress

    def session(self) -> AbstractAsyncContextManager[MailboxSession]:
        """Connect, log in and open the folder; InboxProblem when that fails."""
        ...

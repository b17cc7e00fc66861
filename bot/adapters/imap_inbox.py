"""The support inbox over IMAP (aioimaplib): core.emaildesk.mailbox.Mailbox, implemented.

Read-only by construction: the folder is opened with EXAMINE (the server refuses any
change in it), messages are fetched with BODY.PEEK[] (which never sets \\Seen), and no
STORE, COPY, MOVE or EXPUNGE is ever sent. TLS (IMAPS) is the default and checks the
certificate against the system's trust store; IMAP_TLS=false speaks plain IMAP, for a
server on this machine or a trusted network.

Every failure to connect, log in or open the folder becomes an InboxProblem whose line
says what happened and which setting to look at; the password never appears in it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import ssl
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

import aioimaplib

from core.config import IMAPSettings
from core.emaildesk.mailbox import InboxProblem, MailboxAddress, MailboxSession

log = logging.getLogger(__name__)

TIMEOUT_S = 60.0  # per command: a 10 MB message on a slow line still arrives
_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_UIDNEXT = re.compile(rb"\[UIDNEXT (\d+)\]")
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_LOGIN_FIX = (
    "check IMAP_USERNAME and IMAP_PASSWORD (Gmail, Outlook and iCloud want an app "
    "password, and IMAP switched on in the mailbox's settings)"
)


class ImapMailbox:
    def __init__(
        self,
        settings: IMAPSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        assert settings.host and settings.username and settings.password, "IMAP is configured"
        self.address = MailboxAddress(settings.host, settings.username, settings.folder)
        self._port = settings.port
        self._password = settings.password.get_secret_value()
        self._tls = settings.tls
        self._ssl_context = ssl_context  # None: the system's trust store (tests pass their CA)
        self._timeout_s = timeout_s

    @property
    def where(self) -> str:
        return f"{self.address.host}:{self._port}" + (" (TLS)" if self._tls else " (no TLS)")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[MailboxSession]:
        client = await self._connect()
        try:
            try:
                await self._login(client)
                uidvalidity, uidnext, exists = await self._examine(client)
            except _BROKEN as error:
                raise _broken(self.where, error) from None
            yield ImapSession(client, uidvalidity, uidnext, exists, self.where)
        finally:
            await _logout(client)

    async def _connect(self) -> aioimaplib.IMAP4:
        host, port = self.address.host, self._port
        if self._tls:
            context = self._ssl_context or ssl.create_default_context()
            client = aioimaplib.IMAP4_SSL(host, port, timeout=self._timeout_s, ssl_context=context)
        else:
            client = aioimaplib.IMAP4(host, port, timeout=self._timeout_s)
        try:
            await client.wait_hello_from_server()
        except OSError as error:  # TLS errors and timeouts are OSErrors too
            _drop(client)
            raise _unreachable(self.where, self._timeout_s, error) from None
        except BaseException:
            _drop(client)  # the poller stopped mid-connect: never leak the socket
            raise
        return client

    async def _login(self, client: aioimaplib.IMAP4) -> None:
        user = self.address.username
        response = await client.login(aioimaplib.quoted(user), self._password)
        if response.result != "OK":
            said = _said(response, scrub=self._password)
            raise InboxProblem(f"{self.where} refused the login of {user} ({said})", _LOGIN_FIX)

    async def _examine(self, client: aioimaplib.IMAP4) -> tuple[int, int, int]:
        folder = self.address.folder
        response = await client.examine(aioimaplib.quoted(imap_utf7(folder)))
        if response.result != "OK":
            raise InboxProblem(
                f"{self.where}: can't open the folder {folder!r} ({_said(response)})",
                "check IMAP_FOLDER: INBOX, or a folder's name as your mail program shows it",
            )
        # aioimaplib's examine() leaves its state machine in AUTH; the server is in the
        # selected state (read-only), and UID FETCH/SEARCH need the client to know it.
        client.protocol.state = aioimaplib.SELECTED
        lines = b"\n".join(line for line in response.lines if isinstance(line, bytes))
        validity, uidnext = _UIDVALIDITY.search(lines), _UIDNEXT.search(lines)
        if validity is None:
            raise InboxProblem(
                f"{self.where}: the server gave no UIDVALIDITY for {folder!r}",
                "this server can't be read safely; use another folder or server",
            )
        exists = re.search(rb"(\d+) EXISTS", lines)
        return (
            int(validity.group(1)),
            int(uidnext.group(1)) if uidnext else 1,
            int(exists.group(1)) if exists else 0,
        )


class ImapSession:
    """A logged-in connection with the folder examined (read-only)."""

    def __init__(
        self, client: aioimaplib.IMAP4, uidvalidity: int, uidnext: int, exists: int, where: str
    ) -> None:
        self._client = client
        self._uidvalidity = uidvalidity
        self._uidnext = uidnext
        self._exists = exists
        self._where = where

    @property
    def uidvalidity(self) -> int:
        return self._uidvalidity

    @property
    def uidnext(self) -> int:
        return self._uidnext

    @property
    def exists(self) -> int:
        return self._exists

    async def uids_after(self, uid: int) -> list[int]:
        # "n:*" always matches the newest message, even when its UID is below n.
        return [found for found in await self._search("UID", f"{uid + 1}:*") if found > uid]

    async def uids_since(self, day: date) -> list[int]:
        return await self._search("SINCE", f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}")

    async def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        response = await self._fetch(_uid_set(uids), "(RFC822.SIZE)")
        sizes: dict[int, int] = {}
        for line in response.lines:
            if isinstance(line, bytes) and (found := _SIZE.search(line)):
                uid, size = found.group(1, 2) if found.group(1) else found.group(4, 3)
                sizes[int(uid)] = int(size)
        return sizes

    async def subject(self, uid: int) -> str | None:
        header = _literal(await self._fetch(str(uid), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
        if header is None:
            return None
        subject = BytesHeaderParser(policy=default_policy).parsebytes(header)["Subject"]
        return str(subject) if subject is not None else None

    async def fetch(self, uid: int) -> bytes | None:
        return _literal(await self._fetch(str(uid), "(BODY.PEEK[])"))

    async def _search(self, *criteria: str) -> list[int]:
        try:
            response = await self._client.uid_search(*criteria, charset=None)
        except _BROKEN as error:
            raise _broken(self._where, error) from None
        _expect_ok(response, self._where, "SEARCH")
        numbers = response.lines[0] if response.lines else b""
        return sorted(int(n) for n in bytes(numbers).split() if n.isdigit())

    async def _fetch(self, uid_set: str, parts: str) -> Any:
        try:
            response = await self._client.uid("fetch", uid_set, parts)
        except _BROKEN as error:
            raise _broken(self._where, error) from None
        _expect_ok(response, self._where, "FETCH")
        return response


def _literal(response: Any) -> bytes | None:
    """The message data of a one-message FETCH; None when the message is gone."""
    for line in response.lines:
        if isinstance(line, bytearray):
            return bytes(line)
    return None


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _expect_ok(response: Any, where: str, command: str) -> None:
    if response.result != "OK":
        raise InboxProblem(
            f"{where}: {command} failed ({_said(response)})",
            "nothing to do if it passes: the inbox is read again at the next poll",
        )


def _said(response: Any, *, scrub: str | None = None) -> str:
    """The server's own words (the last line of its answer), without the password."""
    lines = [bytes(line) for line in response.lines if isinstance(line, bytes | bytearray)]
    text = lines[-1].decode(errors="replace").strip() if lines else response.result
    if scrub:
        text = text.replace(scrub, "***")
    return text[:200] or str(response.result)


# What a connection that drops or stalls mid-session raises.
_BROKEN = (aioimaplib.AioImapException, OSError, TimeoutError)


def _broken(where: str, error: BaseException) -> InboxProblem:
    said = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return InboxProblem(
        f"{where}: the connection broke ({said})",
        "nothing to do if it passes: the inbox is read again at the next poll",
    )


def _unreachable(where: str, timeout_s: float, error: OSError) -> InboxProblem:
    """Why a connection failed, and which setting to look at (most specific first)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return InboxProblem(
            f"{where}: the server's TLS certificate is not trusted ({error.verify_message})",
            "IMAP_HOST must be the name on the server's certificate (your provider "
            "says which); a self-signed one must be added to this machine's trust store",
        )
    if isinstance(error, ssl.SSLError):
        return InboxProblem(
            f"{where}: TLS failed ({error.reason or error})",
            "with IMAP_TLS=true use the IMAPS port, usually 993; a server that only "
            "speaks plain IMAP on 143 needs IMAP_TLS=false",
        )
    if isinstance(error, TimeoutError):
        return InboxProblem(
            f"{where}: no answer within {timeout_s:g} s",
            "is the server up and reachable from here? With IMAP_TLS=true the port is "
            "usually 993, with IMAP_TLS=false 143",
        )
    return InboxProblem(
        f"can't reach {where}: {error.strerror or error}",
        "check IMAP_HOST and IMAP_PORT (993 for TLS), and that this machine may connect there",
    )


async def _logout(client: aioimaplib.IMAP4) -> None:
    """Say goodbye if the connection is still there; a broken one is simply dropped."""
    try:
        if client.protocol is not None and client.get_state() not in ("LOGOUT", "STARTED"):
            await asyncio.wait_for(client.logout(), 5)
    except (aioimaplib.AioImapException, OSError, TimeoutError) as error:
        log.debug("IMAP logout: %s", error)
    finally:
        _drop(client)


def _drop(client: aioimaplib.IMAP4) -> None:
    """Close the connection, whatever state it reached.

    aioimaplib connects in a task of its own: a caller cancelled before that task finished
    would leave it to open a socket nobody closes, so the task is cancelled too.
    """
    connecting: asyncio.Task[Any] | None = getattr(client, "_client_task", None)
    if connecting is not None and not connecting.done():
        connecting.cancel()
    transport = getattr(client.protocol, "transport", None)
    if transport is not None:
        transport.close()


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3): "Entwürfe" -> "Entw&APw-rfe"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).rstrip(b"=")
            out.append("&" + encoded.decode().replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)

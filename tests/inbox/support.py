"""Builders shared by the support inbox's tests: settings, readers, stored mail."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.imap_inbox import ImapMailbox
from core.clock import SystemClock
from core.config import IMAPSettings
from core.emaildesk.inbox import InboxReader
from core.emaildesk.intake import EmailIntake
from storage.models import ImapCursor, InboundEmail
from tests.doubles.dovecot import Account

NO_ENV: dict[str, Any] = {"_env_file": None}


def mail(
    number: int, *, subject: str | None = None, body: str = "Hello, where is my order?"
) -> bytes:
    return (
        f"From: Customer {number} <customer{number}@example.org>\r\n"
        f"To: shop@example.com\r\n"
        f"Subject: {subject or f'Question {number}'}\r\n"
        f"Message-ID: <q{number}@example.org>\r\n"
        f"Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def settings(account: Account, *, tls: bool = False, **overrides: Any) -> IMAPSettings:
    server = account.server
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.imaps_port if tls else server.imap_port,
        "username": account.username,
        "password": account.password,
        "tls": tls,
    }
    return IMAPSettings(**NO_ENV, **(values | overrides))


def mailbox(
    account: Account, *, tls: bool = False, trust: bool = True, **overrides: Any
) -> ImapMailbox:
    context: ssl.SSLContext | None = account.server.ssl_context() if tls and trust else None
    return ImapMailbox(settings(account, tls=tls, **overrides), ssl_context=context, timeout_s=5.0)


def reader(
    sessions: async_sessionmaker[AsyncSession],
    box: ImapMailbox,
    *,
    owner: str | None = None,
    intake: EmailIntake | None = None,
) -> InboxReader:
    """A reader as the bot builds it; a new one is what a restart makes."""
    intake = intake or EmailIntake(sessions, SystemClock())
    return InboxReader(box, intake, sessions, SystemClock(), owner=owner)


async def stored(sessions: async_sessionmaker[AsyncSession]) -> Sequence[InboundEmail]:
    async with sessions() as session:
        rows = await session.scalars(select(InboundEmail).order_by(InboundEmail.id))
        return rows.all()


async def cursor(sessions: async_sessionmaker[AsyncSession]) -> ImapCursor:
    async with sessions() as session:
        row: ImapCursor | None = await session.scalar(select(ImapCursor))
        assert row is not None
        return row

"""`python run_bot.py check` on the support inbox: it logs in and opens the folder, reads
nothing, and says what to fix when it can't (without printing the password)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.check import check
from bot.settings import Settings
from tests.doubles.dovecot import Account
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import make_settings
from tests.inbox.support import mail, settings


def _settings(api: TelegramApiDouble, tmp_path: Path, account: Account, **imap: Any) -> Settings:
    return replace(make_settings(api, None, tmp_path), imap=settings(account, **imap))


async def _table(configured: Settings) -> str:
    out = io.StringIO()
    await check(configured, timeout_s=5, out=out)
    return out.getvalue()


async def test_check_logs_in_and_reads_nothing(
    telegram_api: TelegramApiDouble, tmp_path: Path, imap_account: Account
) -> None:
    uid = imap_account.append(mail(1))

    table = await _table(_settings(telegram_api, tmp_path, imap_account, tls=True))

    # The server's self-signed certificate is not in this machine's trust store.
    assert "✗ IMAP" in table and "TLS certificate is not trusted" in table

    table = await _table(_settings(telegram_api, tmp_path, imap_account))

    port, user = imap_account.server.imap_port, imap_account.username
    assert f"127.0.0.1:{port} (no TLS): {user} logged in; INBOX has 1 messages" in table
    assert "✓ IMAP" in table
    assert "\\Seen" not in imap_account.flags(uid)


async def test_check_names_a_refused_login_without_the_password(
    telegram_api: TelegramApiDouble, tmp_path: Path, imap_account: Account
) -> None:
    table = await _table(
        _settings(telegram_api, tmp_path, imap_account, password="s3cret-wrong-password")
    )

    assert "✗ IMAP" in table
    assert f"refused the login of {imap_account.username}" in table
    assert "fix: check IMAP_USERNAME and IMAP_PASSWORD" in table
    assert "s3cret-wrong-password" not in table


async def test_check_says_the_inbox_is_off(telegram_api: TelegramApiDouble, tmp_path: Path) -> None:
    table = await _table(make_settings(telegram_api, None, tmp_path))

    assert "– IMAP" in table and "not configured (IMAP_HOST)" in table

"""IMAP_* settings: off by default, and a host without a login is refused in plain words."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, load_settings


def test_the_inbox_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ADMIN_USER_IDS", "1")

    imap = load_settings(env_file=None).imap

    assert imap is not None and imap.host is None
    assert (imap.port, imap.folder, imap.tls, imap.poll_interval_s) == (993, "INBOX", True, 60)


def test_a_host_without_a_login_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ADMIN_USER_IDS", "1")
    monkeypatch.setenv("IMAP_HOST", "imap.example.com")
    monkeypatch.setenv("IMAP_USERNAME", "support@shop.example")

    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)

    assert "IMAP_USERNAME and IMAP_PASSWORD are required when IMAP_HOST is set" in str(error.value)


def test_a_poll_interval_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ADMIN_USER_IDS", "1")
    monkeypatch.setenv("IMAP_POLL_INTERVAL_S", "1")

    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)

    assert str(error.value).startswith("IMAP_POLL_INTERVAL_S must be")

"""Fixtures for the Dovecot IMAP server (registered in tests/conftest.py).

Without Dovecot installed the tests that use it are skipped with the reason; under CI
(CI=true, or REQUIRE_DOVECOT=1) they fail instead, as PostgreSQL's do, so CI always
proves the inbox against a real server (the test command installs it as root: scripts/dovecot.sh).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.doubles.dovecot import (
    INSTALL_HINT,
    Account,
    DovecotServer,
    dovecot_binary,
    start_dovecot,
)


def _dovecot_required() -> bool:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return ci or bool(os.environ.get("REQUIRE_DOVECOT"))


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One Dovecot per test session (each test takes its own account)."""
    if dovecot_binary() is None:
        message = f"Dovecot is not installed ({INSTALL_HINT})"
        if _dovecot_required():
            pytest.fail(message + "; CI requires it", pytrace=False)
        pytest.skip(message)
    server = start_dovecot()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot: DovecotServer) -> Account:
    """A fresh, empty mailbox on the session's Dovecot."""
    return dovecot.account()

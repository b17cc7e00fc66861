"""The support inbox's tests run against a real Dovecot (tests/doubles/dovecot.py)."""

from __future__ import annotations

from tests.doubles.dovecot_fixtures import dovecot, imap_account

__all__ = ["dovecot", "imap_account"]

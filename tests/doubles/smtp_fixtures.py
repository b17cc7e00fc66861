"""The `smtp` fixture (registered in tests/conftest.py): a real aiosmtpd server on
loopback for one test and the SMTPSettings that reach it. tests/bot/test_check.py and
tests/publishing define an `smtp` of their own, which pytest prefers there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from core.config import SMTPSettings
    from tests.doubles.smtp_server import ScriptedSmtp


@pytest.fixture
def smtp() -> Iterator[tuple[ScriptedSmtp, SMTPSettings]]:
    # Imported on use: the server module pulls in the e2e harness (the whole bot, ~4 s),
    # which every test session would pay for if this plugin imported it when loaded.
    from tests.doubles.smtp_server import running_smtp

    with running_smtp() as server:
        yield server

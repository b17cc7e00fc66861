from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.config import SMTPSettings
from tests.doubles.smtp_server import ScriptedSmtp, running_smtp


@pytest.fixture
def smtp() -> Iterator[tuple[ScriptedSmtp, SMTPSettings]]:
    with running_smtp() as server:
        yield server

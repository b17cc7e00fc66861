from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import SMTPSettings
from tests.doubles.smtp_server import ScriptedSmtp
from tests.email_replies.support import Desk, desk_on


@pytest.fixture
async def d(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> AsyncIterator[Desk]:
    desk = await desk_on(session_factory, smtp[1])
    try:
        yield desk
    finally:
        await desk.engine.stop()

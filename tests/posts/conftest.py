from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.campaigns.helpers import Core, build_core


@pytest.fixture
def core(session_factory: async_sessionmaker[AsyncSession]) -> Core:
    return build_core(session_factory)

"""The content service over a real database (SQLite, and PostgreSQL when reachable), the
real brands, and the fake crew."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands import BrandService
from core.content.service import ContentService
from tests.campaigns.helpers import MutableClock
from tests.write.fakes import AT, FakeCrew


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    clock: MutableClock
    crew: FakeCrew
    brands: BrandService
    content: ContentService


@pytest.fixture
def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    clock, crew, brands = MutableClock(AT), FakeCrew(), BrandService(session_factory)
    return World(session_factory, clock, crew, brands,
                 ContentService(session_factory, clock, crew, brands))  # fmt: skip

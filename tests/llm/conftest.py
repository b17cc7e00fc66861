"""Shared pieces for the gateway tests: a movable clock, a sample schema, row readers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import LLMSettings
from core.llm.gateway import LLMGateway
from core.llm.types import LLMRequest, Message, PromptRef
from core.metrics import Metrics
from storage.models.llm import BudgetDay, LLMCacheEntry, LLMCall

GOOD = {"title": "Spring sale", "hashtags": ["#spring", "#sale"]}


class Post(BaseModel):
    title: str
    hashtags: list[str]


@dataclass
class MovableClock:
    current: datetime = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def make_request(text: str = "Write a post about our spring sale.") -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You write marketing posts."), Message("user", text)),
        prompt=PromptRef(name="post", version=3, variant="B"),
        temperature=0.2,
        max_tokens=100,
    )


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


GatewayFactory = Callable[..., LLMGateway]


@pytest.fixture
def make_gateway(
    llm_settings: LLMSettings,
    session_factory: async_sessionmaker[AsyncSession],
    metrics: Metrics,
    clock: MovableClock,
) -> GatewayFactory:
    """A gateway over the test database; keyword arguments override settings fields."""

    def build(**overrides: object) -> LLMGateway:
        settings = llm_settings.model_copy(update=overrides)
        return LLMGateway(settings, session_factory, metrics, clock, retry_base_delay_s=0.001)

    return build


@pytest.fixture
def gateway(make_gateway: GatewayFactory) -> LLMGateway:
    return make_gateway()


async def call_rows(sessions: async_sessionmaker[AsyncSession]) -> list[LLMCall]:
    async with sessions() as session:
        return list((await session.scalars(select(LLMCall).order_by(LLMCall.id))).all())


async def ledger_rows(sessions: async_sessionmaker[AsyncSession]) -> list[BudgetDay]:
    async with sessions() as session:
        return list((await session.scalars(select(BudgetDay))).all())


async def cache_rows(sessions: async_sessionmaker[AsyncSession]) -> list[LLMCacheEntry]:
    async with sessions() as session:
        return list((await session.scalars(select(LLMCacheEntry))).all())

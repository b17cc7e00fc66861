"""Flow generation over the real path: FlowMaker → LLM gateway → litellm → the
error-injecting FlowLLMServer, with storage on SQLite and PostgreSQL (when reachable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.guidelines import BrandGuidelines
from core.config import LLMSettings
from core.flows.generation import FlowMaker
from core.flows.service import FlowService
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.prompting import PromptRegistry
from tests.campaigns.helpers import MutableClock
from tests.doubles.flow_llm import Case, FlowLLMServer

CLEAN = Case("Welcome new subscribers with a thank-you", ("delay",))
CART = Case("Recover abandoned carts after a day", ("delay", "purchase_offer"), ("upper_case",))
VIP = Case("Win back lapsed VIP customers", ("segment",), ("bad_placeholder",))
STUBBORN = Case("A/B test two welcome texts", ("experiment",), ("bad_shares",), stubborn=True)
HOPELESS = Case("Ask VIPs what they like", ("reply",), ("foreign_link",), hopeless=True)
CASES = {case.description: case for case in (CLEAN, CART, VIP, STUBBORN, HOPELESS)}
PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
SHOP = BrandGuidelines(brand_name="Wool & Co", link_allowlist=["shop.example"])


class FixedBrands:
    """One brand for every persona (its allowlist makes a bit.ly link an error)."""

    def __init__(self, brand: BrandGuidelines | None = SHOP) -> None:
        self.brand = brand
        self.asked: list[int | None] = []

    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None:
        self.asked.append(persona_id)
        return self.brand


@pytest.fixture
async def flow_server() -> AsyncIterator[FlowLLMServer]:
    server = FlowLLMServer(CASES)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def prompts() -> PromptRegistry:
    return await PromptRegistry.load(PROMPTS_DIR)


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def gateway(
    flow_server: FlowLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
    clock: MutableClock,
) -> LLMGateway:
    settings = LLMSettings(
        _env_file=None,
        model="openai/test-model",
        api_base=flow_server.url,
        api_key=SecretStr("sk-test"),
        timeout_s=5.0,
        daily_budget_usd=Decimal("10"),
        price_input_per_mtok=Decimal("1"),
        price_output_per_mtok=Decimal("2"),
        max_retries=0,
        cache_ttl_s=0,
    )
    return LLMGateway(settings, session_factory, Metrics(), clock)


@pytest.fixture
def maker(prompts: PromptRegistry, gateway: LLMGateway) -> FlowMaker:
    return FlowMaker(prompts, gateway)


@pytest.fixture
def brands() -> FixedBrands:
    return FixedBrands()


@pytest.fixture
def flows(
    session_factory: async_sessionmaker[AsyncSession],
    clock: MutableClock,
    maker: FlowMaker,
    brands: FixedBrands,
) -> FlowService:
    return FlowService(session_factory, clock, maker, brands)

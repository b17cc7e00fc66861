"""A brand uploaded as a document is what the crew's deterministic checks hold drafts to:
the persona's own brand, else the default one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands import BrandService
from core.crew.checks import findings_for
from core.crew.types import Draft
from core.personas.models import PersonaInput
from core.personas.service import PersonaService
from domain.crew import ItemKind

HOUSE_YAML = """
brand_name: House style
prohibited_words: [cheap]
required_disclaimers: ["Prices include VAT."]
"""
CANDLES_YAML = """
brand_name: Acme Candles
persona: Acme Candles
prohibited_words: [miracle]
hashtag_min: 1
hashtag_max: 2
link_allowlist: [acme.shop]
"""


async def test_drafts_are_checked_against_their_personas_brand(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    brands = BrandService(session_factory)
    personas = PersonaService(session_factory)
    candles = await personas.create(PersonaInput(name="Acme Candles"))
    bikes = await personas.create(PersonaInput(name="Bolt Bikes"))
    await brands.import_document(HOUSE_YAML, actor="user:1")  # the first: the default
    await brands.import_document(CANDLES_YAML, actor="user:1")

    text = "A cheap miracle candle! See https://elsewhere.example/x"
    candle_draft = Draft(kind=ItemKind.POST, item_id=1, text=text, persona_id=candles.id)
    candle_brand = await brands.for_persona(candles.id)
    assert candle_brand is not None
    checks = {f.check: f for f in findings_for(candle_draft, candle_brand)}
    assert set(checks) == {"prohibited_word", "hashtags", "link"}
    assert "miracle" in checks["prohibited_word"].message and checks["prohibited_word"].blocking

    bike_draft = candle_draft.model_copy(update={"persona_id": bikes.id})
    house = await brands.for_persona(bikes.id)  # no brand of its own: the default
    assert house is not None
    checks = {f.check: f for f in findings_for(bike_draft, house)}
    assert set(checks) == {"prohibited_word", "disclaimer"}
    assert "cheap" in checks["prohibited_word"].message

"""BrandService on SQLite and PostgreSQL: the fallback, the upsert, the default mark, races."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands import BrandService
from core.brands.guidelines import BrandGuidelines
from core.errors import Conflict, NotFound, ValidationFailed
from core.personas.models import PersonaInput
from core.personas.service import PersonaService
from storage.models import Brand, CrewContent

Sessions = async_sessionmaker[AsyncSession]


def acme(**fields: object) -> BrandGuidelines:
    return BrandGuidelines.model_validate({"brand_name": "Acme", **fields})


async def persona(sessions: Sessions, name: str, guidelines: str | None = None) -> int:
    body = {"name": name, "brand_guidelines": guidelines}
    return (await PersonaService(sessions).create(PersonaInput.model_validate(body))).id


async def brand_rows(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Brand)) or 0)


async def test_no_brand_at_all_is_none(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    assert await brands.for_persona(None) is None
    assert await brands.for_persona(1) is None
    assert await brands.view_for_persona(None) is None
    assert await brands.list() == ()


async def test_a_persona_gets_its_own_brand_else_the_default(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    candles, bikes = (
        await persona(session_factory, "Candles"),
        await persona(session_factory, "Bikes"),
    )
    house = await brands.save(acme(prohibited_words=["cheap"]))
    own = await brands.save(acme(brand_name="Candle Co", tone="warm"), persona_id=candles)
    assert house.is_default and not own.is_default  # the first brand saved is the default

    candle_brand = await brands.for_persona(candles)
    assert candle_brand is not None and candle_brand.brand_name == "Candle Co"
    for fallback in (bikes, None, 999):
        found = await brands.for_persona(fallback)
        assert found is not None and found.prohibited_words == ["cheap"], fallback
    view = await brands.view_for_persona(candles)
    assert view is not None and (view.brand_id, view.persona_name) == (own.brand_id, "Candles")


async def test_the_personas_old_guidelines_become_empty_notes(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    pid = await persona(session_factory, "Candles", "Never mention prices.")
    await brands.save(acme(), persona_id=pid)
    found = await brands.for_persona(pid)
    assert found is not None and found.notes == "Never mention prices."
    await brands.save(acme(notes="Our own notes."), persona_id=pid)
    found = await brands.for_persona(pid)
    assert found is not None and found.notes == "Our own notes."


async def test_an_upload_replaces_and_keeps_the_crew_settings(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    pid = await persona(session_factory, "Candles")
    first, created = await brands.upsert(acme(keywords=["wax"]), persona_id=pid, actor="api")
    assert created
    await brands.set_crew(first.brand_id, False, actor="user:1")
    await brands.set_threshold(first.brand_id, 85, actor="user:1")
    second, created = await brands.upsert(acme(voice="calm"), persona_id=pid, actor="api")
    assert not created and second.brand_id == first.brand_id
    assert second.guidelines.keywords == []  # the file is the brand
    assert (second.guidelines.voice, second.guidelines.crew_enabled) == ("calm", False)
    assert second.guidelines.quality_threshold == 85
    third = await brands.save(acme(crew_enabled=True), persona_id=pid)
    assert third.guidelines.crew_enabled and third.guidelines.quality_threshold == 85
    assert await brand_rows(session_factory) == 1


async def test_without_persona_the_name_picks_the_brand(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    a = await brands.save(acme(tone="warm"))
    b = await brands.save(acme(brand_name="  ACME ", tone="bold"))
    c = await brands.save(acme(brand_name="Bolt"))
    assert a.brand_id == b.brand_id != c.brand_id
    assert (await brands.get(a.brand_id)).guidelines.tone == "bold"
    with pytest.raises(Conflict, match="Another brand without a persona is named 'bolt'"):
        await brands.update(a.brand_id, {"brand_name": "bolt"}, actor="user:1")


async def test_the_default_moves_and_stays_single(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    a = await brands.save(acme())
    b = await brands.save(acme(brand_name="Bolt"))
    moved = await brands.set_default(b.brand_id, actor="user:1")
    assert moved.is_default and moved.updated_by == "user:1"
    assert not (await brands.get(a.brand_id)).is_default
    assert [v.name for v in await brands.list()] == ["Bolt", "Acme"]  # the default first
    again = await brands.set_default(b.brand_id, actor="user:2")  # a double tap
    assert again.is_default
    assert [v.is_default for v in await brands.list()].count(True) == 1
    found = await brands.for_persona(None)
    assert found is not None and found.brand_name == "Bolt"


async def test_racing_first_saves_make_one_default(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    names = [f"Brand {n}" for n in range(4)]
    saved = await asyncio.gather(*(brands.save(acme(brand_name=n)) for n in names))
    assert sum(view.is_default for view in saved) == 1
    assert [v.is_default for v in await brands.list()].count(True) == 1


async def test_racing_saves_for_one_persona_make_one_brand(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    pid = await persona(session_factory, "Candles")
    tones = ["warm", "bold", "calm"]
    await asyncio.gather(*(brands.save(acme(tone=t), persona_id=pid) for t in tones))
    assert await brand_rows(session_factory) == 1
    found = await brands.for_persona(pid)
    assert found is not None and found.tone in tones


async def test_two_edits_of_one_brand_both_land(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    view = await brands.save(acme())
    await asyncio.gather(
        brands.update(view.brand_id, {"tone": "warm"}, actor="user:1"),
        brands.update(view.brand_id, {"keywords": ["wax"]}, actor="user:2"),
    )
    stored = (await brands.get(view.brand_id)).guidelines
    assert (stored.tone, stored.keywords) == ("warm", ["wax"])


async def test_bad_changes_and_unknown_ids_are_refused(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    view = await brands.save(acme())
    with pytest.raises(ValidationFailed) as failed:
        await brands.update(view.brand_id, {"colors": ["blue"], "hashtag_max": 99}, actor="u")
    assert any("blue" in line for line in failed.value.problems)
    assert any(line.startswith("hashtag_max") for line in failed.value.problems)
    assert (await brands.get(view.brand_id)).guidelines.colors == []  # nothing half-saved
    with pytest.raises(NotFound, match="Brand #99 does not exist"):
        await brands.get(99)
    with pytest.raises(NotFound):
        await brands.set_default(99, actor="u")
    with pytest.raises(NotFound, match="Persona #7 does not exist"):
        await brands.save(acme(), persona_id=7)


async def test_delete_returns_the_brand_and_unlinks_what_named_it(
    session_factory: Sessions,
) -> None:
    brands = BrandService(session_factory)
    house = await brands.save(acme(brand_name="House"))
    bolt = await brands.save(
        acme(brand_name="Bolt"), persona_id=await persona(session_factory, "Bo")
    )
    async with session_factory.begin() as session:
        session.add(CrewContent(
            public_id="c-1", status="completed", campaign_brief="b", content_type="email",
            brand_id=bolt.brand_id, brand_name="Bolt", source="api",
        ))  # fmt: skip

    gone = await brands.delete(bolt.brand_id)
    assert (gone.brand_id, gone.name) == (bolt.brand_id, "Bolt")
    assert [view.name for view in await brands.list()] == ["House"]
    assert (await brands.for_persona(bolt.persona_id)) == house.guidelines  # the default now
    async with session_factory() as session:
        content = (await session.execute(select(CrewContent))).scalar_one()
    assert (content.brand_id, content.brand_name) == (None, "Bolt")  # the record keeps its name
    with pytest.raises(NotFound, match=f"Brand #{bolt.brand_id} does not exist"):
        await brands.delete(bolt.brand_id)


async def test_deleting_the_default_leaves_no_default(session_factory: Sessions) -> None:
    brands = BrandService(session_factory)
    house = await brands.save(acme(brand_name="House"))
    other = await brands.save(acme(brand_name="Other"))
    assert (await brands.get(house.brand_id)).is_default

    await brands.delete(house.brand_id)
    assert await brands.for_persona(None) is None  # nobody picked a new one for the user
    assert not (await brands.get(other.brand_id)).is_default
    await brands.set_default(other.brand_id, actor="user:1")
    assert await brands.for_persona(None) == other.guidelines

"""Personas: create, read, list, update, import from YAML or JSON, with clear problems."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from core.errors import Conflict, NotFound, ValidationFailed
from core.personas.documents import parse_persona_document, validate_persona
from core.personas.models import PersonaPatch
from storage.models import ContentPillar
from tests.campaigns.helpers import Core, make_persona

YAML_DOC = """
name: Acme Candles
caption_config:
  tone: warm
  emoji_use: few
hashtag_strategy:
  always: [acme, "#Candles"]
  max_per_post: 5
brand_guidelines: |
  No discounts. No health claims.
content_pillars:
  - name: Product
    weight: 2
    priority: 10
  - name: Tips
    description: How to burn candles well
    active: false
"""


async def test_create_and_get(core: Core) -> None:
    created = await core.personas.import_document(YAML_DOC)
    fetched = await core.personas.get(created.id)
    assert fetched == created
    assert fetched.caption_config == {
        "tone": "warm", "style": None, "emoji_use": "few", "length": None,
    }  # fmt: skip
    assert fetched.hashtag_strategy["always"] == ["#acme", "#Candles"]
    assert fetched.brand_guidelines == "No discounts. No health claims."
    assert [(p.name, p.weight, p.priority, p.active) for p in fetched.content_pillars] == [
        ("Product", 2.0, 10, True),
        ("Tips", 1.0, 0, False),
    ]
    assert fetched.prompt_context()["content_pillars"] == [{"name": "Product", "description": None}]


async def test_only_the_name_is_required(core: Core) -> None:
    persona = await core.personas.create(validate_persona({"name": "Bare"}))
    body = persona.as_json()
    assert body["content_pillars"] == [] and body["brand_guidelines"] is None
    assert body["hashtag_strategy"]["always"] == []


@pytest.mark.parametrize("name", ["Acme Candles", "acme candles", "  ACME CANDLES "])
async def test_a_taken_name_is_a_conflict(core: Core, name: str) -> None:
    await make_persona(core.personas)
    with pytest.raises(Conflict, match="A persona named 'Acme Candles' exists already"):
        await core.personas.create(validate_persona({"name": name}))


async def test_concurrent_creations_of_one_name_have_one_winner(core: Core) -> None:
    results = await asyncio.gather(
        *(core.personas.create(validate_persona({"name": "Twin"})) for _ in range(4)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, Conflict) for r in results if r not in winners)


async def test_unknown_persona(core: Core) -> None:
    with pytest.raises(NotFound, match="Persona #42 does not exist"):
        await core.personas.get(42)
    with pytest.raises(NotFound):
        await core.personas.update(42, PersonaPatch(brand_guidelines="x"))


async def test_list_and_find(core: Core) -> None:
    await make_persona(core.personas, "Zeta")
    await make_persona(core.personas, "Alpha")
    assert [p.name for p in await core.personas.list()] == ["Alpha", "Zeta"]
    found = await core.personas.find("alpha")
    assert found is not None and found.name == "Alpha"
    assert await core.personas.find("nobody") is None


async def test_update_changes_given_fields_and_upserts_pillars(core: Core) -> None:
    persona = await make_persona(core.personas, pillars=("Product", "Tips"))
    patch = PersonaPatch.model_validate(
        {
            "brand_guidelines": "Be kind.",
            "content_pillars": [{"name": "Tips", "priority": 5}, {"name": "Events"}],
        }
    )
    updated = await core.personas.update(persona.id, patch)
    assert updated.brand_guidelines == "Be kind."
    assert updated.caption_config == persona.caption_config
    assert [(p.name, p.priority) for p in updated.content_pillars] == [
        ("Tips", 5), ("Events", 0), ("Product", 0),
    ]  # fmt: skip


PILLARS_DOC = """
name: Acme Candles
content_pillars:
  - {name: Product, description: The candles, weight: 2, priority: 10, active: false}
  - {name: Tips, description: How to burn them, weight: 3, priority: 5}
"""
Row = tuple[str, str | None, float, int, bool]


async def _pillar_rows(core: Core, persona_id: int) -> list[Row]:
    async with core.sessions() as session:
        rows = await session.scalars(
            select(ContentPillar)
            .where(ContentPillar.persona_id == persona_id)
            .order_by(ContentPillar.id)
        )
        return [(r.name, r.description, r.weight, r.priority, r.active) for r in rows]


async def test_a_pillar_patch_changes_only_the_fields_it_sends(core: Core) -> None:
    persona = await core.personas.import_document(PILLARS_DOC)
    patch = PersonaPatch.model_validate(
        {"content_pillars": [{"name": "product"}, {"name": "TIPS", "description": "New"},
                             {"name": "Events"}]}
    )  # fmt: skip
    await core.personas.update(persona.id, patch)
    assert await _pillar_rows(core, persona.id) == [
        ("Product", "The candles", 2.0, 10, False),  # the stored spelling stays
        ("Tips", "New", 3.0, 5, True),
        ("Events", None, 1.0, 0, True),
    ]


async def test_fields_sent_for_a_known_pillar_are_set(core: Core) -> None:
    persona = await core.personas.import_document(PILLARS_DOC)
    patch = PersonaPatch.model_validate(
        {"content_pillars": [{"name": "PRODUCT", "weight": 0, "active": True,
                              "description": None}]}
    )  # fmt: skip
    updated = await core.personas.update(persona.id, patch)
    assert await _pillar_rows(core, persona.id) == [
        ("Product", None, 0.0, 10, True),
        ("Tips", "How to burn them", 3.0, 5, True),
    ]
    assert updated.updated_at >= persona.updated_at


async def test_concurrent_edits_add_a_pillar_once_whatever_its_case(core: Core) -> None:
    persona = await make_persona(core.personas)
    patches = [PersonaPatch.model_validate({"content_pillars": [{"name": n}]})
               for n in ("Events", "EVENTS", "events")]  # fmt: skip
    await asyncio.gather(*(core.personas.update(persona.id, p) for p in patches))
    names = [row[0].casefold() for row in await _pillar_rows(core, persona.id)]
    assert names == ["product", "events"]


async def test_rename_to_a_taken_name_is_a_conflict(core: Core) -> None:
    await make_persona(core.personas, "One")
    two = await make_persona(core.personas, "Two")
    with pytest.raises(Conflict):
        await core.personas.update(two.id, PersonaPatch(name="one"))
    renamed = await core.personas.update(two.id, PersonaPatch(name="Three"))
    assert renamed.name == "Three"


def test_json_documents_are_read_too() -> None:
    persona = parse_persona_document('{"name": "Json", "content_pillars": [{"name": "A"}]}')
    assert persona.name == "Json" and persona.content_pillars[0].name == "A"


PROBLEMS: list[tuple[str, list[str]]] = [
    ("name: [unclosed", ["document: invalid YAML: expected ',' or ']', but got '<stream end>'"
                         " at line 1, column 16"]),
    ('{"name": }', ["document: invalid JSON: Expecting value: line 1 column 10 (char 9)"]),
    ("- just\n- a list", ["body: must be an object"]),
    ("caption_config: {}", ["name: is required"]),
    ("name: ''", ["name: cannot be blank"]),
    ("name: A\nmood: happy", ["mood: is not a known field"]),
    ("name: A\ncaption_config: {tone: warm, vibe: x}",
     ["caption_config.vibe: is not a known field"]),
    ("name: A\ncaption_config: warm", ["caption_config: must be an object"]),
    ("name: A\nhashtag_strategy: {max_per_post: 0}",
     ["hashtag_strategy.max_per_post: must be at least 1"]),
    ("name: A\nhashtag_strategy: {always: ['#1']}",
     ["hashtag_strategy.always: has '#1', which is not a usable hashtag"]),
    ("name: A\ncontent_pillars: [{description: x}]", ["Content pillar #1: name is required"]),
    ("name: A\ncontent_pillars: [{name: B}, {name: b}]",
     ["content_pillars: has 'b' twice; pillar names must be unique"]),
    ("name: A\ncontent_pillars: [{name: B, weight: -1}]",
     ["Content pillar #1: weight must be at least 0"]),
    ("name: A\ncontent_pillars: [{name: B, active: maybe}]",
     ["Content pillar #1: active must be true or false"]),
]  # fmt: skip


@pytest.mark.parametrize(("document", "lines"), PROBLEMS, ids=[d for d, _ in PROBLEMS])
def test_document_problems(document: str, lines: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_persona_document(document)
    assert caught.value.problems == lines


def test_a_huge_document_is_refused() -> None:
    body: Any = "name: A\n" + "#" * 200_001
    with pytest.raises(ValidationFailed, match="at most 200000 characters"):
        parse_persona_document(body)

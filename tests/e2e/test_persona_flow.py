"""/persona end to end: list, create in a conversation, edit a field, import a file."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.personas.models import PersonaInput
from core.personas.views import PersonaView
from storage.models import ContentPillar, ConversationState, Persona
from tests.e2e.campaign_support import (
    buttons,
    count_rows,
    make_persona,
    send_document,
)
from tests.e2e.harness import STRANGER, Harness

ACME_YAML = b"""
name: Acme Candles
caption_config: {tone: warm, length: short}
hashtag_strategy:
  always: ["#acmecandles"]
  preferred: [cosy home, "#handmade"]
  max_per_post: 4
brand_guidelines: Never mention prices.
content_pillars:
  - {name: Product, description: The candles themselves, weight: 2}
  - {name: Tips}
"""


async def _found(harness: Harness, name: str) -> PersonaView:
    persona = await harness.bot.services.personas.find(name)
    assert persona is not None, f"no persona {name!r}"
    return persona


async def _tap(harness: Harness, question_text: str, label: str) -> None:
    question = await harness.said(question_text)
    harness.tap(harness.message_id_of(question), buttons(question)[label])


async def test_create_a_persona_in_a_conversation(harness: Harness) -> None:
    harness.send("/persona")
    await _tap(harness, "No persona yet", "➕ New persona")
    await harness.said("New persona · step 1 of 8")
    harness.send("Acme Candles")
    await _tap(harness, "Which tone of voice", "Warm")
    await harness.said("Tone: <b>Warm</b> ✓")
    await harness.said("Which writing style")
    harness.send("Plain words, short sentences")
    await _tap(harness, "How many emoji", "⏭ Skip")
    await _tap(harness, "How long are captions", "Short")
    await harness.said("Which hashtags")
    harness.send("#acme, handmade\npreferred: #cosyhome\nmax: 4")
    await _tap(harness, "brand guidelines", "⏭ Skip")
    await harness.said("content pillars")
    harness.send("Product: the candles\nProduct: again")
    await harness.said("has &#x27;Product&#x27; twice")  # the step stays, nothing is lost
    harness.send("- Product: the candles\n- Tips: how to burn them")
    await harness.said("Persona <b>Acme Candles</b> created with 2 content pillars")

    persona = await _found(harness, "Acme Candles")
    assert persona.caption_config == {
        "tone": "Warm", "style": "Plain words, short sentences", "emoji_use": None,
        "length": "Short",
    }  # fmt: skip
    assert persona.hashtag_strategy["always"] == ["#acme", "#handmade"]
    assert persona.hashtag_strategy["preferred"] == ["#cosyhome"]
    assert persona.hashtag_strategy["max_per_post"] == 4
    assert [(p.name, p.description) for p in persona.content_pillars] == [
        ("Product", "the candles"), ("Tips", "how to burn them"),
    ]  # fmt: skip
    assert await count_rows(harness, ConversationState) == 0

    harness.send("/persona")
    listing = await harness.said("🎭 Personas")
    assert "Acme Candles" in listing.params["text"]
    assert "Product (the candles), Tips (how to burn them)" in listing.params["text"]


async def test_a_taken_name_is_refused_at_once(harness: Harness) -> None:
    await make_persona(harness)
    harness.send("/persona")
    await _tap(harness, "🎭 Personas", "➕ New persona")
    await harness.said("step 1 of 8")
    harness.send("acme candles")
    await harness.said("A persona named <b>acme candles</b> exists already")
    harness.send("Bolt Bikes")
    await harness.said("Which tone of voice")
    assert await count_rows(harness, Persona) == 1


async def test_cancel_while_creating_stores_nothing(harness: Harness) -> None:
    harness.send("/persona")
    await _tap(harness, "No persona yet", "➕ New persona")
    await harness.said("step 1 of 8")
    harness.send("Half done")
    await harness.said("Which tone of voice")
    harness.send("/cancel")
    await harness.said("Cancelled. Nothing was changed.")
    assert await count_rows(harness, Persona) == 0
    assert await count_rows(harness, ConversationState) == 0


async def test_edit_one_field_with_buttons(harness: Harness) -> None:
    await make_persona(harness)
    await make_persona(harness, "Bolt Bikes")
    harness.send("/persona")
    await _tap(harness, "🎭 Personas", "✏️ Edit Acme Candles")
    menu = await harness.said("Which field should change")
    harness.tap(harness.message_id_of(menu), buttons(menu)["Tone"])
    await _tap(harness, "Now: warm", "Playful")
    await harness.said("Tone of <b>Acme Candles</b> updated")
    assert (await _found(harness, "Acme Candles")).caption_config["tone"] == "Playful"
    assert (await _found(harness, "Acme Candles")).caption_config["length"] == "short"

    harness.tap(harness.message_id_of(menu), buttons(menu)["Name"])  # the menu still works
    await harness.said("What is the persona called")
    harness.send("Bolt Bikes")
    await harness.said("A persona named &#x27;Bolt Bikes&#x27; exists already")
    harness.send("Acme Home")
    await harness.said("Name of <b>Acme Home</b> updated")
    assert (await _found(harness, "Acme Home")).id == 1


PILLARED = {
    "name": "Acme Candles",
    "content_pillars": [
        {"name": "Product", "description": "The candles themselves", "weight": 2,
         "priority": 10, "active": False},
        {"name": "Tips", "description": "How to burn them", "weight": 3, "priority": 5},
        {"name": "Stories"},
    ],
}  # fmt: skip


async def _pillar_rows(harness: Harness) -> list[tuple[str, str | None, float, int, bool]]:
    async with harness.bot.services.sessions() as session:
        rows = await session.scalars(select(ContentPillar).order_by(ContentPillar.id))
        return [(r.name, r.description, r.weight, r.priority, r.active) for r in rows]


async def test_edit_pillars_keeps_what_was_not_said(harness: Harness) -> None:
    await harness.bot.services.personas.create(PersonaInput.model_validate(PILLARED))
    harness.send("/persona")
    await _tap(harness, "🎭 Personas", "✏️ Edit Acme Candles")
    menu = await harness.said("Which field should change")
    harness.tap(harness.message_id_of(menu), buttons(menu)["Content pillars"])
    question = (await harness.said("Send the pillars to add or change")).params["text"]
    assert "Now: Product (off), Tips, Stories" in question
    assert "<code>-Name</code> (just the name) switches a pillar off" in question
    harness.send("product\n- TIPS: How to burn candles well\nEvents: markets and fairs\n-Stories")
    done = (await harness.said("Content pillars of <b>Acme Candles</b> updated")).params["text"]
    for line in ["Added: Events", "Switched off: Stories", "New description: Tips",
                 "Already there, kept as they were: Product"]:  # fmt: skip
        assert line in done, done
    assert "Stories <i>[off]</i>" in (await harness.said("🎭 Acme Candles")).params["text"]
    assert await _pillar_rows(harness) == [
        ("Product", "The candles themselves", 2.0, 10, False),
        ("Tips", "How to burn candles well", 3.0, 5, True),
        ("Stories", None, 1.0, 0, False),
        ("Events", "markets and fairs", 1.0, 0, True),
    ]

    harness.tap(harness.message_id_of(menu), buttons(menu)["Content pillars"])
    await harness.said("Now: Product (off), Tips, Events, Stories (off)")
    harness.send("+PRODUCT\n-Unknown")
    await harness.said("There is no pillar named &#x27;Unknown&#x27; to switch off.")
    harness.send("+PRODUCT")
    done = (await harness.said("Content pillars of <b>Acme Candles</b> updated")).params["text"]
    assert "Switched on: Product" in done
    assert "Not in your list, kept as they were: Tips, Events, Stories" in done
    assert (await _pillar_rows(harness))[0] == ("Product", "The candles themselves", 2.0, 10, True)
    assert await count_rows(harness, ContentPillar) == 4
    assert await count_rows(harness, ConversationState) == 0


async def test_import_a_yaml_file(harness: Harness) -> None:
    send_document(harness, "acme.yaml", ACME_YAML, mime_type="application/x-yaml")
    await harness.said("Persona <b>Acme Candles</b> imported with 2 content pillars")
    card = await harness.said("🎭 Acme Candles")
    assert "#cosyhome" in card.params["text"]
    persona = await _found(harness, "Acme Candles")
    assert persona.brand_guidelines == "Never mention prices."
    assert [p.name for p in persona.content_pillars] == ["Product", "Tips"]
    assert harness.api.calls_to("getFile")


async def test_import_a_json_file_with_a_taken_name(harness: Harness) -> None:
    await make_persona(harness)
    body = json.dumps({"name": "ACME CANDLES", "content_pillars": [{"name": "Tips"}]})
    send_document(harness, "acme.json", body.encode())
    await harness.said("exists already")
    assert await count_rows(harness, Persona) == 1


@pytest.mark.parametrize(
    ("name", "data", "size", "reason"),
    [
        ("logo.png", b"\x89PNG\r\n", None, "is not a persona file"),
        ("huge.yaml", b"name: Big", 300 * 1024, "the most I accept is 256 KiB"),
        ("big.json", b"{" + b" " * (257 * 1024) + b"}", -1, "the most I accept is 256 KiB"),
        ("broken.yaml", b"name: [unclosed", None, "invalid YAML"),
        ("extra.json", b'{"name": "X", "colour": "red"}', None, "colour: is not a known field"),
        ("latin1.yaml", "name: Café".encode("latin-1"), None, "not UTF-8"),
    ],
    ids=["wrong-type", "declared-too-big", "downloaded-too-big", "bad-yaml", "unknown-field",
         "not-utf8"],
)  # fmt: skip
async def test_bad_files_are_refused_clearly(
    harness: Harness, name: str, data: bytes, size: int | None, reason: str
) -> None:
    # size -1: Telegram left the size out, so it is only known once downloaded.
    send_document(harness, name, data, declared_size=size, omit_size=size == -1)
    await harness.said(reason)
    assert await count_rows(harness, Persona) == 0


async def test_a_stranger_is_refused(harness: Harness) -> None:
    harness.send("/persona", user_id=STRANGER)
    await harness.said("private bot")
    send_document(harness, "acme.yaml", ACME_YAML, user_id=STRANGER)
    await harness.said("private bot")
    assert await count_rows(harness, Persona) == 0
    assert not harness.api.calls_to("getFile")

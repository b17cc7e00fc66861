"""How persona answers typed in Telegram are read into core's shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import ValidationFailed
from core.personas.documents import validate_persona
from core.personas.views import PersonaView, PillarView
from handlers.persona.fields import (
    patch_for,
    read_hashtags,
    read_pillar_edits,
    read_pillars,
    with_answer,
)

NOW = datetime(2026, 11, 21, tzinfo=UTC)
ACME = PersonaView(
    id=1, name="Acme", caption_config={"tone": "warm", "style": None, "emoji_use": None,
                                       "length": "short"},
    hashtag_strategy={"always": ["#acme"]}, brand_guidelines=None,
    content_pillars=(PillarView(1, "Product", None, 1.0, 0, True),),
    created_at=NOW, updated_at=NOW,
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "strategy"),
    [
        ("#acme #handmade", {"always": ["#acme", "#handmade"]}),
        ("#acme, cosy; home", {"always": ["#acme", "cosy", "home"]}),
        (
            "Always: #acme\npreferred: #cosyhome #handmade\navoid: #sale\nmax: 4\nnotes: few",
            {"always": ["#acme"], "preferred": ["#cosyhome", "#handmade"], "avoid": ["#sale"],
             "max_per_post": "4", "notes": "few"},
        ),
    ],
)  # fmt: skip
def test_hashtag_lines(text: str, strategy: dict[str, object]) -> None:
    assert read_hashtags(text) == strategy


def test_pillar_lines_with_bullets_and_without_descriptions() -> None:
    assert read_pillars("- Product: the candles\n\n• Tips\n* Stories: behind: the scenes") == [
        {"name": "Product", "description": "the candles"},
        {"name": "Tips"},
        {"name": "Stories", "description": "behind: the scenes"},
    ]


def test_pillar_edits_switch_only_bare_names_and_read_bullets_as_when_creating() -> None:
    text = "-Product: new words\n-Tips\n+Events\n- Stories\n• Offers: weekly"
    assert read_pillar_edits(text) == [
        {"name": "Product", "description": "new words"},  # a bullet, not "switch off"
        {"name": "Tips", "active": False},
        {"name": "Events", "active": True},
        {"name": "Stories"},
        {"name": "Offers", "description": "weekly"},
    ]


def test_answers_build_a_persona_core_accepts() -> None:
    draft: dict[str, object] = {}
    for key, text in [("name", " Acme "), ("tone", "Warm"), ("hashtags", "acme\nmax: 3"),
                      ("guidelines", "No prices."), ("pillars", "Product: candles")]:  # fmt: skip
        draft = with_answer(draft, key, text)
    persona = validate_persona(draft)
    assert persona.name == "Acme" and persona.caption_config.tone == "Warm"
    assert persona.hashtag_strategy.always == ["#acme"]
    assert persona.hashtag_strategy.max_per_post == 3
    assert persona.content_pillars[0].description == "candles"


def test_a_patch_changes_one_caption_setting_and_keeps_the_others() -> None:
    patch = patch_for("tone", "Playful", ACME)
    assert patch.caption_config is not None
    assert (patch.caption_config.tone, patch.caption_config.length) == ("Playful", "short")
    assert patch.name is None and patch.content_pillars is None


@pytest.mark.parametrize(
    ("key", "text", "problem"),
    [
        ("name", "x" * 101, "name: must be at most 100 characters"),
        ("hashtags", "max: lots", "hashtag_strategy.max_per_post: must be an integer"),
        ("pillars", "A: one\na: two", "has 'a' twice"),
    ],
)
def test_bad_patches_name_the_problem(key: str, text: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        patch_for(key, text, ACME)
    assert any(problem in line for line in failed.value.problems), failed.value.problems

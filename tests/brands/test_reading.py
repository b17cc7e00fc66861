"""How /brand reads typed answers, and how a brand document (file or REST body) is checked."""

from __future__ import annotations

import pytest

from core.brands.documents import dump_brand_document, parse_brand_document, validate_brand
from core.brands.guidelines import BrandGuidelines
from core.errors import ValidationFailed
from handlers.brand.fields import BY_KEY, current_value, read_answer


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("values", "handmade, sustainable ,honest",
         {"values": ["handmade", "sustainable", "honest"]}),
        ("values", "- handmade\n• small batches, slow\n\n",
         {"values": ["handmade", "small batches, slow"]}),
        ("colors", "#1a2b3c, #FFF  #abcdef", {"colors": ["#1a2b3c", "#FFF", "#abcdef"]}),
        ("required_disclaimers", "Burn with care, always.\nAdults only.",
         {"required_disclaimers": ["Burn with care, always.", "Adults only."]}),
        ("link_allowlist", "https://acme.shop/x instagram.com",
         {"link_allowlist": ["https://acme.shop/x", "instagram.com"]}),
        ("channel_limits", "Instagram: 1500\nsms 300, email=9000",
         {"channel_limits": {"instagram": 1500, "sms": 300, "email": 9000}}),
        ("hashtags", "2-5", {"hashtag_min": 2, "hashtag_max": 5}),
        ("hashtags", "3 to 4", {"hashtag_min": 3, "hashtag_max": 4}),
        ("hashtags", "5", {"hashtag_min": 0, "hashtag_max": 5}),
        ("quality_threshold", " 75 ", {"quality_threshold": 75}),
        ("tone", "  warm, calm ", {"tone": "warm, calm"}),
        ("keywords", "-", {"keywords": []}),
        ("hashtags", "-", {"hashtag_min": 0, "hashtag_max": 10}),
        ("quality_threshold", "-", {"quality_threshold": 70}),
        ("channel_limits", "-", {"channel_limits": {}}),
    ],
)  # fmt: skip
def test_answers_become_fields(key: str, text: str, expected: dict[str, object]) -> None:
    assert read_answer(BY_KEY[key], text) == expected


@pytest.mark.parametrize(
    ("key", "text", "problem"),
    [
        ("channel_limits", "instagram: lots", "write it as channel: number"),
        ("hashtags", "a few", "send a range like 2-5"),
        ("quality_threshold", "seventy", "whole number from 0 to 100"),
    ],
)
def test_unreadable_answers_say_how_to_write_them(key: str, text: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        read_answer(BY_KEY[key], text)
    assert problem in failed.value.problems[0]


def test_the_name_is_never_cleared() -> None:
    assert read_answer(BY_KEY["brand_name"], "-") == {"brand_name": "-"}


def test_current_values_read_as_a_line() -> None:
    brand = BrandGuidelines(brand_name="Acme", keywords=["wax", "soy"], channel_limits={"sms": 300})
    assert current_value(BY_KEY["keywords"], brand) == "wax, soy"
    assert current_value(BY_KEY["voice"], brand) == "not set"
    assert current_value(BY_KEY["hashtags"], brand) == "0–10 per draft"
    assert current_value(BY_KEY["channel_limits"], brand) == "sms 300"
    assert current_value(BY_KEY["quality_threshold"], brand) == "70"


def test_a_document_names_every_problem_with_its_field() -> None:
    body = {"brand_name": "", "colors": ["blue"], "hashtag_min": 5, "hashtag_max": 2,
            "colour": "red", "persona_id": 0}  # fmt: skip
    with pytest.raises(ValidationFailed) as failed:
        validate_brand(body)
    text = "\n".join(failed.value.problems)
    for part in ("brand_name", "blue", "colour", "persona_id"):
        assert part in text, text


def test_persona_by_id_or_name_but_not_both() -> None:
    upload = validate_brand({"brand_name": "Acme", "persona": " Candles "})
    assert (upload.persona_id, upload.persona_name) == (None, "Candles")
    with pytest.raises(ValidationFailed, match="not both"):
        validate_brand({"brand_name": "Acme", "persona": "Candles", "persona_id": 1})


def test_a_downloaded_brand_goes_back_in_unchanged() -> None:
    brand = BrandGuidelines(
        brand_name="Acme", colors=["#abc"], link_allowlist=["https://www.Acme.shop/x"],
        channel_limits={"sms": 300}, crew_enabled=False,
    )  # fmt: skip
    again = parse_brand_document(dump_brand_document(brand))
    assert again.guidelines == brand
    assert brand.colors == ["#ABC"] and brand.link_allowlist == ["acme.shop"]
    # GET's read-only keys are accepted and ignored.
    answered = {"brand_id": "3", "is_default": True, "updated_by": "api", "brand_name": "Acme"}
    assert validate_brand(answered).guidelines.brand_name == "Acme"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("brand_name: [unclosed", "invalid YAML"),
        ('{"brand_name": ', "invalid JSON"),
        ("- just\n- a list", "must be an object"),
    ],
)
def test_broken_documents_are_named(text: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_brand_document(text)
    assert problem in failed.value.problems[0]

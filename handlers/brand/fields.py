"""The brand fields a person fills in over Telegram, and how their answers are read.

Answers become BrandGuidelines' shapes (the REST body's); core validates the whole brand,
so a problem is named with the field it is in. Lists are one item per line, or one line
separated by commas; "-" clears a field while editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.brands.guidelines import BrandGuidelines
from core.errors import ValidationFailed
from domain.brand import CHANNELS, DEFAULT_CHANNEL_LIMITS

CLEAR = "-"
_LIST_SPLIT = re.compile(r"\s*,\s*")
_SPACE_OR_COMMA = re.compile(r"[\s,;]+")
_LIMIT = re.compile(r"^\s*([a-z_]+)\s*[:=]?\s*(\d+)\s*$", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-–—]|to|\.\.)\s*(\d+)\s*$", re.IGNORECASE)
# How each kind of field reads an answer.
TEXT, LIST, LINES, WORDS, LIMITS, HASHTAGS, NUMBER = (
    "text", "list", "lines", "words", "limits", "hashtags", "number",
)  # fmt: skip


@dataclass(frozen=True)
class BrandField:
    key: str
    label: str
    question: str
    kind: str = TEXT


FIELDS: tuple[BrandField, ...] = (
    BrandField("brand_name", "Brand name", "What is the brand called? e.g. <i>Acme Candles</i>"),
    BrandField("voice", "Voice", "How does the brand sound, in a sentence? "
               "e.g. <i>a friendly expert who never pushes</i>"),
    BrandField("tone", "Tone", "Which tone? e.g. <i>warm, calm, a little playful</i>"),
    BrandField("values", "Values", "What does the brand stand for? Separate them with "
               "commas or put one per line, e.g. <i>handmade, sustainable, honest</i>", LIST),
    BrandField("colors", "Colours", "Which colours, as hex codes? "
               "e.g. <code>#1A2B3C #F4E1C1</code>", WORDS),
    BrandField("keywords", "Keywords", "Which keywords should drafts use? "
               "e.g. <i>soy wax, hand-poured, cosy</i>", LIST),
    BrandField("prohibited_topics", "Prohibited topics", "Which topics must drafts avoid? "
               "e.g. <i>politics, competitors, health claims</i>", LIST),
    BrandField("prohibited_words", "Prohibited words", "Which words must never appear? "
               "e.g. <i>cheap, guaranteed, miracle</i>", LIST),
    BrandField("required_disclaimers", "Required disclaimers", "Which disclaimers must every "
               "draft carry? One per line, e.g. <i>Never leave a burning candle "
               "unattended.</i>", LINES),
    BrandField("link_allowlist", "Allowed links", "Which sites may drafts link to? e.g. "
               "<code>acme.shop instagram.com</code> (subdomains count). Skip to allow any "
               "link.", WORDS),
    BrandField("channel_limits", "Length limits", "Any length limits (characters) per "
               f"channel? One per line, e.g. <code>instagram: 1500\nsms: 300</code>\n"
               f"Channels: {', '.join(CHANNELS)}. Unnamed ones keep their defaults.", LIMITS),
    BrandField("hashtags", "Hashtags", "How many hashtags per draft? A range like "
               "<code>2-5</code>, or one number for at most that many.", HASHTAGS),
    BrandField("notes", "Notes", "Anything else the reviewers should know? Free text, "
               "e.g. <i>We ship only within the EU.</i>"),
    BrandField("quality_threshold", "Rewrite threshold", "Under which overall score (0–100) "
               "should I offer the optimizer's rewrite? e.g. <code>70</code>", NUMBER),
)  # fmt: skip
BY_KEY = {field.key: field for field in FIELDS}
THRESHOLD_INDEX = [field.key for field in FIELDS].index("quality_threshold")


def index_of(key: str) -> int:
    return [field.key for field in FIELDS].index(key)


def read_answer(field: BrandField, text: str) -> dict[str, Any]:
    """The BrandGuidelines fields one answer sets; ValidationFailed if it can't be read.

    "-" clears the field (its default) in every kind but the name.
    """
    text = text.strip()
    if text == CLEAR and field.key != "brand_name":
        return _cleared(field)
    if field.kind == LIMITS:
        return {"channel_limits": _limits(text)}
    if field.kind == HASHTAGS:
        return _hashtags(text)
    if field.kind == NUMBER:
        return {field.key: _number(field, text)}
    if field.kind in (LIST, LINES, WORDS):
        return {field.key: _items(field.kind, text)}
    return {field.key: text}


def _cleared(field: BrandField) -> dict[str, Any]:
    if field.key == "hashtags":
        defaults = BrandGuidelines.model_fields
        return {"hashtag_min": defaults["hashtag_min"].default,
                "hashtag_max": defaults["hashtag_max"].default}  # fmt: skip
    default = BrandGuidelines.model_fields[field.key].get_default(call_default_factory=True)
    return {field.key: default}


def _items(kind: str, text: str) -> list[str]:
    lines = [line.strip().lstrip("-•*").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if kind == WORDS:
        return [word for line in lines for word in _SPACE_OR_COMMA.split(line) if word]
    if kind == LIST and len(lines) == 1:
        return [item for item in _LIST_SPLIT.split(lines[0]) if item]
    return lines


def _limits(text: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    problems: list[str] = []
    for part in re.split(r"[\n,;]+", text):
        if not part.strip():
            continue
        match = _LIMIT.match(part)
        if match is None:
            problems.append(f"{part.strip()!r}: write it as channel: number, e.g. sms: 300")
            continue
        limits[match[1].lower()] = int(match[2])
    if problems:
        raise ValidationFailed(problems)
    return limits


def _hashtags(text: str) -> dict[str, int]:
    if text.isdigit():
        return {"hashtag_min": 0, "hashtag_max": int(text)}
    match = _RANGE.match(text)
    if match is None:
        raise ValidationFailed(["hashtags: send a range like 2-5, or one number such as 5"])
    return {"hashtag_min": int(match[1]), "hashtag_max": int(match[2])}


def _number(field: BrandField, text: str) -> int:
    if not text.isdigit():
        raise ValidationFailed([f"{field.key}: send a whole number from 0 to 100"])
    return int(text)


def plain_problems(problems: list[str]) -> list[str]:
    """Problems as a person reads them: a rule across fields has no field to name ("body")."""
    return [line.removeprefix("body: ") for line in problems]


def current_value(field: BrandField, brand: BrandGuidelines) -> str:
    """What a field holds now, in a line, to show next to the question when editing."""
    if field.key == "hashtags":
        return f"{brand.hashtag_min}–{brand.hashtag_max} per draft"
    if field.key == "channel_limits":
        return limits_line(brand) or "the defaults"
    value = getattr(brand, field.key)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "not set"
    return str(value) if value != "" else "not set"


def limits_line(brand: BrandGuidelines) -> str:
    """The limits a brand changed from the defaults, e.g. "instagram 1500 · sms 300"."""
    changed = {
        name: value
        for name, value in brand.channel_limits.items()
        if value != DEFAULT_CHANNEL_LIMITS.get(name)
    }
    return " · ".join(f"{name} {value}" for name, value in changed.items())

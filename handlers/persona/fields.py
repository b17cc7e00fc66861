"""The persona fields a person fills in over Telegram, and how their answers are read.

Answers become the shapes core.personas takes (the REST body): a whole persona while
creating one, a patch while editing. core validates; this only reads the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from core.campaigns.problems import problem_lines
from core.errors import ValidationFailed
from core.personas.models import PersonaPatch
from core.personas.views import PersonaView

CAPTION_KEYS = ("tone", "style", "emoji_use", "length")
HASHTAG_LABELS = {"always": "always", "preferred": "preferred", "avoid": "avoid"}
_LABELLED = re.compile(r"^\s*(always|preferred|avoid|max|notes)\s*:\s*(.*)$", re.IGNORECASE)
_SPLIT_TAGS = re.compile(r"[\s,;]+")
# "-Name" / "+Name" (a bare name) while editing pillars. "- Name" (with a space), or any
# line with a description ("-Product: the candles"), is a list bullet as when creating.
_SWITCH = re.compile(r"^\s*([+-])(?=[^\s+-])(?=[^:]*$)")
PILLARS_EDIT_QUESTION = (
    "Send the pillars to add or change, one per line, as <i>name: description</i>:\n"
    "<code>Events: markets and fairs\nProduct: the candles themselves\n-Tips</code>\n"
    "• A new name adds a pillar.\n"
    "• A pillar you already have (in any letter case) keeps its name, weight, priority and "
    "on/off state; a description after the colon replaces its description.\n"
    "• <code>-Name</code> (just the name) switches a pillar off: it is kept, but new "
    "campaigns leave it out. <code>+Name</code> switches it on again.\n"
    "Pillars you leave out stay as they are."
)


@dataclass(frozen=True)
class PersonaField:
    key: str
    label: str
    question: str
    options: tuple[str, ...] = ()
    edit_question: str = ""  # asked instead of `question` when editing, if set

    def option(self, index: int) -> str | None:
        return self.options[index] if 0 <= index < len(self.options) else None


FIELDS: tuple[PersonaField, ...] = (
    PersonaField("name", "Name", "What is the persona called? Usually your brand, "
                 "e.g. <i>Acme Candles</i>."),
    PersonaField("tone", "Tone", "Which tone of voice?",
                 ("Warm", "Playful", "Professional", "Bold", "Calm")),
    PersonaField("style", "Style", "Which writing style?",
                 ("Plain, short sentences", "Storytelling", "Informative", "Conversational")),
    PersonaField("emoji_use", "Emoji use", "How many emoji?", ("None", "A few", "Plenty")),
    PersonaField("length", "Caption length", "How long are captions?",
                 ("Short", "Medium", "Long")),
    PersonaField("hashtags", "Hashtags",
                 "Which hashtags should every post carry? e.g. <i>#acme #handmade</i>\n"
                 "For more control send lines like:\n<code>always: #acme\n"
                 "preferred: #cosyhome #handmade\navoid: #sale\nmax: 4</code>"),
    PersonaField("guidelines", "Brand guidelines",
                 "Any brand guidelines? e.g. <i>Never mention prices. No health claims.</i>"),
    PersonaField("pillars", "Content pillars",
                 "What are the content pillars? One per line, as <i>name: description</i>:\n"
                 "<code>Product: the candles themselves\nTips: how to burn candles well</code>",
                 edit_question=PILLARS_EDIT_QUESTION),
)  # fmt: skip
BY_KEY = {field.key: field for field in FIELDS}


def index_of(key: str) -> int:
    return [field.key for field in FIELDS].index(key)


def read_hashtags(text: str) -> dict[str, Any]:
    """Plain tags are "always"; labelled lines set the other parts of the strategy."""
    strategy: dict[str, Any] = {}
    for line in text.splitlines():
        match = _LABELLED.match(line)
        label, rest = (match[1].lower(), match[2]) if match else ("always", line)
        if label == "max":
            strategy["max_per_post"] = rest.strip()
        elif label == "notes":
            strategy["notes"] = rest.strip()
        else:
            strategy.setdefault(label, []).extend(_tags(rest))
    return strategy


def _tags(text: str) -> list[str]:
    return [tag for tag in _SPLIT_TAGS.split(text.strip()) if tag]


def read_pillars(text: str) -> list[dict[str, Any]]:
    """ "Name: description" per line; a leading "-" or "•" is dropped, a description optional."""
    return [pillar for line in text.splitlines() if (pillar := _pillar_line(line)) is not None]


def read_pillar_edits(text: str) -> list[dict[str, Any]]:
    """read_pillars' lines, where "-Name" also switches a pillar off and "+Name" on.

    Only what the person wrote is in each entry, so an existing pillar keeps the rest.
    """
    edits = []
    for line in text.splitlines():
        switch = _SWITCH.match(line)
        pillar = _pillar_line(line[switch.end() :] if switch else line)
        if pillar is not None:
            edits.append({**pillar, "active": switch[1] == "+"} if switch else pillar)
    return edits


def _pillar_line(line: str) -> dict[str, Any] | None:
    line = line.strip().lstrip("-•*").strip()
    if not line:
        return None
    name, _, description = line.partition(":")
    pillar: dict[str, Any] = {"name": name.strip()}
    if description.strip():
        pillar["description"] = description.strip()
    return pillar


def with_answer(draft: dict[str, Any], key: str, text: str) -> dict[str, Any]:
    """The persona being created (PersonaInput's shape) with one more answer in it."""
    text = text.strip()
    if key in CAPTION_KEYS:
        return {**draft, "caption_config": {**draft.get("caption_config", {}), key: text}}
    return {**draft, **_value(key, text)}


def patch_for(key: str, text: str, current: PersonaView) -> PersonaPatch:
    """A patch that changes one field of an existing persona; ValidationFailed if it can't."""
    text = text.strip()
    body: dict[str, Any]
    if key in CAPTION_KEYS:
        body = {"caption_config": {**current.caption_config, key: text}}
    elif key == "pillars":
        body = {"content_pillars": _pillar_edits(text, current)}
    else:
        body = _value(key, text)
    try:
        return PersonaPatch.model_validate(body)
    except ValidationError as exc:
        raise ValidationFailed(problem_lines(exc)) from None


def _pillar_edits(text: str, current: PersonaView) -> list[dict[str, Any]]:
    edits = read_pillar_edits(text)
    known = {pillar.name.casefold() for pillar in current.content_pillars}
    problems = [
        f"There is no pillar named {edit['name']!r} to switch off."
        for edit in edits
        if edit.get("active") is False and edit["name"].casefold() not in known
    ]
    if not edits:
        problems.append("That names no pillar.")
    if problems:
        raise ValidationFailed(problems)
    return edits


def _value(key: str, text: str) -> dict[str, Any]:
    if key == "hashtags":
        return {"hashtag_strategy": read_hashtags(text)}
    if key == "pillars":
        return {"content_pillars": read_pillars(text)}
    if key == "guidelines":
        return {"brand_guidelines": text}
    return {"name": text}


def current_value(key: str, persona: PersonaView) -> str:
    """What a field holds now, in a line, to show next to the question when editing."""
    if key in CAPTION_KEYS:
        return str(persona.caption_config.get(key) or "not set")
    if key == "hashtags":
        return hashtag_summary(persona.hashtag_strategy) or "not set"
    if key == "pillars":
        pillars = persona.content_pillars
        return ", ".join(p.name + ("" if p.active else " (off)") for p in pillars) or "none"
    if key == "guidelines":
        return persona.brand_guidelines or "not set"
    return persona.name


def hashtag_summary(strategy: dict[str, Any]) -> str:
    parts = [
        f"{label} {' '.join(strategy[key])}"
        for key, label in HASHTAG_LABELS.items()
        if strategy.get(key)
    ]
    if strategy.get("max_per_post"):
        parts.append(f"at most {strategy['max_per_post']} per post")
    return "; ".join(parts)

"""The content copilot design's Campaign Request, read strictly: one line per problem.

    {campaign_brief: string, target_audience: string,
     content_type: "blog_post" | "social_media" | "email" | "ad_copy",
     brand_id: string (optional)}

`brand_id` is a string in the design (and in our brand API's answers); a number is taken
too, since an agent that read `"brand_id": "7"` back may send 7. Unknown fields are
refused like in the other routes, so a misspelt `content_typ` is not silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.crew.types import Brief
from core.errors import ValidationFailed
from domain.crew import ContentType

MAX_BRIEF = 4000
MAX_AUDIENCE = 1000
FIELDS = ("campaign_brief", "target_audience", "content_type", "brand_id")
TYPES_IN_WORDS = ", ".join(t.value for t in ContentType)


@dataclass(frozen=True)
class ContentRequest:
    brief: Brief
    brand_id: int | None = None


def parse_request(body: dict[str, Any]) -> ContentRequest:
    problems = [f"{name}: unknown field" for name in body if name not in FIELDS]
    brief = _text(body, "campaign_brief", MAX_BRIEF, problems)
    audience = _text(body, "target_audience", MAX_AUDIENCE, problems)
    content_type = _content_type(body.get("content_type"), problems)
    brand_id = _brand_id(body.get("brand_id"), problems)
    if problems or content_type is None:
        raise ValidationFailed(problems)
    made = Brief(campaign_brief=brief, target_audience=audience, content_type=content_type)
    return ContentRequest(made, brand_id)


def brief_problem(text: str, limit: int) -> str | None:
    """What is wrong with a typed brief or audience (also /write's steps), or None."""
    if not text.strip():
        return "must not be empty"
    if len(text.strip()) > limit:
        return f"is {len(text.strip())} characters; at most {limit}"
    return None


def _text(body: dict[str, Any], name: str, limit: int, problems: list[str]) -> str:
    value = body.get(name)
    if value is None:
        problems.append(f"{name}: is required")
        return ""
    if not isinstance(value, str):
        problems.append(f"{name}: must be a string")
        return ""
    problem = brief_problem(value, limit)
    if problem is not None:
        problems.append(f"{name}: {problem}")
    return value.strip()


def _content_type(value: Any, problems: list[str]) -> ContentType | None:
    if value is None:
        problems.append(f"content_type: is required ({TYPES_IN_WORDS})")
        return None
    try:
        return ContentType(value)
    except ValueError:
        problems.append(f"content_type: must be one of {TYPES_IN_WORDS}, not {str(value)[:40]!r}")
        return None


def _brand_id(value: Any, problems: list[str]) -> int | None:
    if value is None:
        return None
    # bool is an int in Python; `true` is no brand id.
    ok = isinstance(value, str | int) and not isinstance(value, bool)
    raw = str(value).strip() if ok else ""
    if not raw.isdigit() or len(raw) > 12:
        problems.append(f'brand_id: must be a brand\'s id such as "7", not {str(value)[:40]!r}')
        return None
    return int(raw)

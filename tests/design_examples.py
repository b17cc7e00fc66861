"""The campaign-planning design's own API examples, and the checks a client written against
them relies on. The JSON is copied verbatim into tests/data/designs/ (tests never read
the design documents themselves); only the dates move, since the design's are past.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

DESIGNS = Path(__file__).resolve().parent / "data" / "designs"
# Fields whose value is the design's meaning, not an id or a time the server picks.
MEANINGFUL = frozenset({"persona_id", "name", "title", "status", "has_photo"})


def design_json(name: str) -> Any:
    """`campaign_planning/request.json` and the like, exactly as the design has them."""
    return json.loads((DESIGNS / name).read_text(encoding="utf-8"))


def design_request(now: datetime) -> dict[str, Any]:
    """The design's request with every scheduled_at moved by whole years past `now`.

    Whole years keep the time of day, the order of the posts and the "Z" the design
    writes; nothing else changes.
    """
    return moved_forward(design_json("campaign_planning/request.json"), now)


def moved_forward(body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`body` (a campaign request) with its scheduled_at times moved whole years past `now`."""
    body = copy.deepcopy(body)
    times = [_parse(post["scheduled_at"]) for post in body["posts"]]
    years = 0
    while min(_plus_years(t, years) for t in times) <= now:
        years += 1
    for post, when in zip(body["posts"], times, strict=True):
        post["scheduled_at"] = _plus_years(when, years).isoformat().replace("+00:00", "Z")
    return body


def design_invalid_request(now: datetime) -> dict[str, Any]:
    """A body that earns each line of the design's 422 example: an unknown persona 999,
    post #2 in the past (the design's own date), post #3 with a blank image_prompt."""
    body = design_request(now)
    original = design_json("campaign_planning/request.json")
    body["persona_id"] = 999
    body["posts"][1]["scheduled_at"] = original["posts"][1]["scheduled_at"]
    third = copy.deepcopy(body["posts"][0])
    third["image_prompt"] = ""
    body["posts"].append(third)
    return body


def assert_same_shape(expected: Any, actual: Any, path: str = "$") -> None:
    """Every key of `expected` is in `actual`, recursively, with a value of the same JSON
    type; lists have the same length. Extra keys in `actual` are fine."""
    assert _json_type(actual) == _json_type(expected), (
        f"{path}: {_json_type(actual)}, the design has {_json_type(expected)}"
    )
    if isinstance(expected, dict):
        missing = sorted(set(expected) - set(actual))
        assert not missing, f"{path}: missing {missing}"
        for key, value in expected.items():
            assert_same_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, not {len(expected)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_same_shape(want, got, f"{path}[{index}]")


def assert_design_meaning(request: dict[str, Any], answer: dict[str, Any]) -> None:
    """The 201 body means what the design's does: the values it does not leave to the
    server are the design's, and the ids link up the way its example's do."""
    expected = design_json("campaign_planning/response_201.json")
    _same_meaningful_values(expected, answer)
    campaign, suggestions, posts = answer["campaign"], answer["suggestions"], answer["posts"]
    assert campaign["gap_analysis_id"] == campaign["id"]  # the campaign plays GapAnalysis
    for planned, suggestion, post in zip(request["posts"], suggestions, posts, strict=True):
        assert suggestion["draft_post_id"] == post["id"]
        assert post["content_suggestion_id"] == suggestion["id"]
        assert suggestion["content_pillar_id"] == post["content_pillar"]["id"]
        assert post["content_pillar"]["name"] == planned["content_pillar_name"]
        assert _parse(post["scheduled_at"]) == _parse(planned["scheduled_at"])
        assert post["format"] == planned["format"]
    pillar_ids = [s["content_pillar_id"] for s in suggestions]
    assert len(set(pillar_ids)) == len(pillar_ids)  # two pillar names, two pillars


def _same_meaningful_values(expected: Any, actual: Any, path: str = "$") -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            if key in MEANINGFUL and not isinstance(value, dict | list):
                assert actual[key] == value, f"{path}.{key}: {actual[key]!r}, not {value!r}"
            else:
                _same_meaningful_values(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            _same_meaningful_values(want, got, f"{path}[{index}]")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _plus_years(when: datetime, years: int) -> datetime:
    return when.replace(year=when.year + years)

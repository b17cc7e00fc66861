"""pydantic errors as one plain line per problem, named the way the request body names things.

    Post #2: scheduled_at must be in the future
    Post #3: image_prompt cannot be blank
    Content pillar #1: name is required

List items are numbered from 1, as people count; fields keep their body names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# A list field whose items are numbered in messages -> how one item is called.
ITEM_LABELS = {"posts": "Post", "content_pillars": "Content pillar"}


def problem_lines(exc: ValidationError, *, labels: Mapping[str, str] = ITEM_LABELS) -> list[str]:
    lines: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        line = problem_line(error, labels)
        if line not in lines:
            lines.append(line)
    return lines


def problem_line(error: ErrorDetails, labels: Mapping[str, str] = ITEM_LABELS) -> str:
    loc = [part for part in error["loc"] if not _is_union_tag(part)]
    prefix, rest = _split_item(loc, labels)
    predicate = _predicate(error)
    if prefix is None:
        return f"{_path(rest) or 'body'}: {predicate}"
    if not rest:
        return f"{prefix}: {predicate}"
    return f"{prefix}: {_path(rest)} {predicate}"


def _split_item(
    loc: Sequence[int | str], labels: Mapping[str, str]
) -> tuple[str | None, list[Any]]:
    if len(loc) >= 2 and loc[0] in labels and isinstance(loc[1], int):
        return f"{labels[str(loc[0])]} #{loc[1] + 1}", list(loc[2:])
    return None, list(loc)


def _path(parts: Sequence[int | str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _is_union_tag(part: int | str) -> bool:
    # pydantic adds the branch type ("str", "function-after[...]") to union locations.
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool"})


def _predicate(error: ErrorDetails) -> str:
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    render = _MESSAGES.get(error["type"])
    if render is not None:
        return render(ctx)
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message[:1].lower() + message[1:]


def _too_short(ctx: dict[str, Any]) -> str:
    # The campaign-planning design's wording ("Post #3: image_prompt cannot be blank");
    # strings are stripped first, so an empty one and one of spaces are alike blank.
    least = ctx.get("min_length", 1)
    return "cannot be blank" if least == 1 else f"must be at least {least} characters"


def _list_too_long(ctx: dict[str, Any]) -> str:
    return f"must have at most {ctx.get('max_length')} items, not {ctx.get('actual_length')}"


def _list_too_short(ctx: dict[str, Any]) -> str:
    return f"must have at least {ctx.get('min_length')} item(s)"


_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda _: "is required",
    "extra_forbidden": lambda _: "is not a known field",
    "string_too_short": _too_short,
    "string_too_long": lambda c: f"must be at most {c.get('max_length')} characters",
    "too_long": _list_too_long,
    "too_short": _list_too_short,
    "string_type": lambda _: "must be a string",
    "int_type": lambda _: "must be an integer",
    "int_parsing": lambda _: "must be an integer",
    "int_from_float": lambda _: "must be an integer",
    "float_type": lambda _: "must be a number",
    "float_parsing": lambda _: "must be a number",
    "bool_type": lambda _: "must be true or false",
    "bool_parsing": lambda _: "must be true or false",
    "list_type": lambda _: "must be a list",
    "dict_type": lambda _: "must be an object",
    "model_type": lambda _: "must be an object",
    "model_attributes_type": lambda _: "must be an object",
    "datetime_type": lambda _: "must be an ISO 8601 date-time",
    "datetime_parsing": lambda _: "must be an ISO 8601 date-time",
    "datetime_from_date_parsing": lambda _: "must be an ISO 8601 date-time",
    "date_type": lambda _: "must be an ISO 8601 date",
    "date_parsing": lambda _: "must be an ISO 8601 date",
    "date_from_datetime_parsing": lambda _: "must be an ISO 8601 date",
    "greater_than": lambda c: f"must be greater than {_num(c.get('gt'))}",
    "greater_than_equal": lambda c: f"must be at least {_num(c.get('ge'))}",
    "less_than": lambda c: f"must be less than {_num(c.get('lt'))}",
    "less_than_equal": lambda c: f"must be at most {_num(c.get('le'))}",
    "literal_error": lambda c: f"must be one of: {_choices(c.get('expected', ''))}",
}


def _num(value: object) -> object:
    """0.0 reads as 0 to people."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")

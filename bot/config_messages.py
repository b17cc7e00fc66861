"""A settings error as one line a person can act on.

The line names the environment variable, says what its value must be, and shows what was
given unless the variable holds a secret. pydantic's own words ("Input should be a valid
integer", "Frozenset should have at least 1 item after validation") never reach it.
"""

from __future__ import annotations

import types
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AnyHttpUrl, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings

from core.config import env_name

ADMIN_HINT = "give at least one Telegram user id, comma-separated (find yours with @userinfobot)"
# What to do about a variable that is required but missing.
_MISSING_HINTS = {"TELEGRAM_BOT_TOKEN": "get one from @BotFather (/newbot)"}
_KINDS: dict[Any, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    Decimal: "a number",
    AnyHttpUrl: "an http:// or https:// URL",
    Path: "a file path",
    str: "text",
}


def describe(group: type[BaseSettings], error: ValidationError) -> str:
    """The first problem pydantic found, in plain words."""
    first = error.errors()[0]
    if not first["loc"]:  # a check across fields; its message names the variables
        return _reason(first)
    field = str(first["loc"][0])
    name = env_name(group, field)
    if name == "ADMIN_USER_IDS":
        if first["type"] in {"missing", "too_short"}:
            return f"{name}: {ADMIN_HINT}"
        return f"{name}: {first['input']!r} is not a Telegram user id (a number); {ADMIN_HINT}"
    if first["type"] == "missing":
        hint = _MISSING_HINTS.get(name)
        return f"{name} is required but not set" + (f": {hint}" if hint else "")
    if first["type"] == "value_error":
        return f"{name} {_reason(first)}"
    info = group.model_fields[field]
    line = f"{name} must be {expectation(info)}"
    if not _is_secret(info) and isinstance(first["input"], str | int | float):
        line += f" (got {first['input']!r})"
    return line


def expectation(info: FieldInfo) -> str:
    """What a field's value must be: 'a whole number from 0 to 65535'."""
    return " ".join(filter(None, (_kind(info.annotation), _bounds(info.metadata))))


def _kind(annotation: Any) -> str:
    annotation = _without_none(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        return " or ".join(str(choice) for choice in get_args(annotation))
    if origin in (frozenset, set, list):
        (item,) = get_args(annotation)
        if item is int:
            return "whole numbers, comma-separated"
        return "a comma-separated list"
    return _KINDS.get(annotation, "a valid value")


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(kept) == 1:
            return kept[0]
    return annotation


def _bounds(metadata: list[Any]) -> str:
    low = high = ""
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"at least {_number(item.ge)}"
        elif isinstance(item, annotated_types.Gt):
            low = f"above {_number(item.gt)}"
        elif isinstance(item, annotated_types.Le):
            high = f"at most {_number(item.le)}"
        elif isinstance(item, annotated_types.Lt):
            high = f"below {_number(item.lt)}"
    if low.startswith("at least") and high.startswith("at most"):
        return f"from {low.removeprefix('at least ')} to {high.removeprefix('at most ')}"
    if low.startswith("at least") and not high:
        return f"of {low}"
    return " and ".join(filter(None, (low, high)))


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _is_secret(info: FieldInfo) -> bool:
    annotation = info.annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


def _reason(error: ErrorDetails) -> str:
    """A validator's own message, without pydantic's 'Value error, ' in front."""
    cause = (error.get("ctx") or {}).get("error")
    return str(cause) if cause is not None else error["msg"].removeprefix("Value error, ")

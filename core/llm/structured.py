"""Structured output: tell the model the JSON shape, read its answer, explain mistakes.

Models differ in how they enforce a schema (llama.cpp takes `json_object` plus a
`schema`, others ignore it), so the schema is also spelled out in the system message and
every answer is validated here. An answer that does not validate is never returned.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from core.llm.types import Message, T

# Re-asks after the first answer; the model gets three tries in all.
MAX_REASKS = 2
MAX_TRIES = MAX_REASKS + 1

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)\n?\s*```", re.DOTALL)
_MAX_REASON_CHARS = 600
_MAX_KEPT_MIN_LENGTH = 8


def json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The schema the model sees, without long string length limits.

    llama.cpp turns `maxLength: 1000` into a grammar a thousand levels deep, fails to
    parse it and drops the connection. Lengths are still enforced when the answer is
    validated (and explained in the re-ask), so nothing is lost by leaving them out.
    A small `minLength` stays: it costs the grammar nothing and stops a small model
    from answering with an empty caption.
    """
    stripped: dict[str, Any] = _without_long_lengths(schema.model_json_schema())
    return stripped


def _without_long_lengths(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_long_lengths(v) for k, v in node.items() if not _long_length(k, v)}
    if isinstance(node, list):
        return [_without_long_lengths(item) for item in node]
    return node


def _long_length(key: str, value: Any) -> bool:
    if key == "minLength":
        return not (isinstance(value, int) and value <= _MAX_KEPT_MIN_LENGTH)
    return key == "maxLength"


def schema_text(schema: type[BaseModel]) -> str:
    """The schema as stable text: shown to the model and part of the cache key."""
    return json.dumps(json_schema(schema), sort_keys=True, ensure_ascii=False)


def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    # `json_object` with a `schema` is what llama.cpp's server accepts (not `json_schema`).
    return {"type": "json_object", "schema": json_schema(schema)}


def instruction(schema: type[BaseModel]) -> str:
    return (
        "Reply with one JSON object only: no prose and no code fence. "
        f"It must match this JSON schema:\n{schema_text(schema)}"
    )


def with_instruction(
    messages: tuple[Message, ...], schema: type[BaseModel]
) -> list[dict[str, str]]:
    """The request's messages as dicts, with the schema instruction in the system message."""
    rendered = [{"role": m.role, "content": m.content} for m in messages]
    if rendered and rendered[0]["role"] == "system":
        first = rendered[0]
        rendered[0] = {"role": "system", "content": f"{first['content']}\n\n{instruction(schema)}"}
        return rendered
    return [{"role": "system", "content": instruction(schema)}, *rendered]


def strip_fence(text: str) -> str:
    """Small models often wrap JSON in ```json fences despite being told not to."""
    match = _FENCE.search(text)
    return match.group(1).strip() if match else text.strip()


def parse(schema: type[T], text: str) -> T:
    """Validate an answer; raises pydantic's ValidationError (bad JSON included)."""
    body = strip_fence(text)
    try:
        return schema.model_validate_json(body)
    except ValidationError as exc:
        loose = _loose_json(body) if _only_bad_json(exc) else None
        if loose is None:
            raise
        return schema.model_validate(loose)


def _only_bad_json(exc: ValidationError) -> bool:
    return all(error["type"] == "json_invalid" for error in exc.errors())


def _loose_json(body: str) -> Any | None:
    """JSON that is only wrong in having raw newlines or tabs inside strings.

    Small local models write a multi-line caption with real line breaks; the meaning is
    unambiguous, so it is read (and then validated like any answer) instead of re-asked.
    """
    try:
        return json.loads(body, strict=False)
    except ValueError:
        return None


def try_parse(schema: type[T], text: str) -> tuple[T | None, str | None]:
    """(value, None) when the answer is valid, else (None, a short description why)."""
    try:
        return parse(schema, text), None
    except ValidationError as exc:
        return None, describe(exc)


def describe(exc: ValidationError) -> str:
    """One line per problem, `field.path: message`, short enough to send back to a model."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "(whole answer)"
        lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)[:_MAX_REASON_CHARS]


def reask(bad_answer: str, reason: str) -> list[dict[str, str]]:
    """Keep the bad answer in the conversation and say exactly what was wrong with it."""
    return [
        {"role": "assistant", "content": bad_answer},
        {
            "role": "user",
            "content": (
                f"That answer did not match the JSON schema: {reason}\n"
                "Reply again with only the corrected JSON object."
            ),
        },
    ]

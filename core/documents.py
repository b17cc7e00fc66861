"""Read a document a person sends (a file in Telegram, a body over REST): JSON when it
looks like JSON, YAML otherwise. What the data must hold is the caller's to check; this
module only turns the text into data or says, in one line, why it can't."""

from __future__ import annotations

import json

import yaml

from core.errors import ValidationFailed

MAX_DOCUMENT_CHARS = 200_000


def load_document(text: str) -> object:
    """The data in `text`; ValidationFailed with one "document: ..." line if too long or
    unreadable (JSON's own message, or YAML's problem with its line and column)."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ValidationFailed([f"document: must be at most {MAX_DOCUMENT_CHARS} characters"])
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed([f"document: invalid JSON: {exc}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed([f"document: invalid YAML: {_yaml_reason(exc)}"]) from None


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "unreadable"
    if mark is None:
        return str(problem)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"

"""Read a persona from a YAML or JSON document, the same shape as the REST body."""

from __future__ import annotations

import json

import yaml
from pydantic import ValidationError

from core.campaigns.problems import problem_lines
from core.errors import ValidationFailed
from core.personas.models import PersonaInput

MAX_DOCUMENT_CHARS = 200_000


def parse_persona_document(text: str) -> PersonaInput:
    """JSON when it looks like JSON, YAML otherwise; one line per problem on failure."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ValidationFailed([f"document: must be at most {MAX_DOCUMENT_CHARS} characters"])
    return validate_persona(_load(text))


def validate_persona(data: object) -> PersonaInput:
    try:
        return PersonaInput.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problem_lines(exc)) from None


def _load(text: str) -> object:
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

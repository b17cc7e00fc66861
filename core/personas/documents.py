"""Read a persona from a YAML or JSON document, the same shape as the REST body."""

from __future__ import annotations

from pydantic import ValidationError

from core.campaigns.problems import problem_lines
from core.documents import load_document
from core.errors import ValidationFailed
from core.personas.models import PersonaInput


def parse_persona_document(text: str) -> PersonaInput:
    """JSON when it looks like JSON, YAML otherwise; one line per problem on failure."""
    return validate_persona(load_document(text))


def validate_persona(data: object) -> PersonaInput:
    try:
        return PersonaInput.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problem_lines(exc)) from None

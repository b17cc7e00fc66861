"""A brand as a document: the design's Brand Guidelines JSON plus our fields, in JSON or YAML.

The same shape everywhere (POST /api/brand/upload, a file sent to /brand, the JSON that
GET /api/brands/{id} answers), so a downloaded brand can be edited and uploaded again:
the read-only keys of that answer are accepted and ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.brands.guidelines import BrandGuidelines
from core.campaigns.problems import problem_lines
from core.documents import load_document
from core.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)
# In GET's answer, not ours to set: who saved it and when, which id it has, the default
# mark (changed with /brand or set_default, never by re-uploading a file).
READ_ONLY = frozenset({"brand_id", "is_default", "updated_by", "updated_at"})


class _Target(BaseModel):
    """Which persona a brand is for: by id or by name, or neither (a brand of its own)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    persona_id: int | None = Field(default=None, ge=1)
    persona: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_way(self) -> _Target:
        if self.persona_id is not None and self.persona is not None:
            raise ValueError("give persona_id or persona (a name), not both")
        return self


@dataclass(frozen=True)
class BrandUpload:
    guidelines: BrandGuidelines
    persona_id: int | None = None
    persona_name: str | None = None


def parse_brand_document(text: str) -> BrandUpload:
    """JSON when it looks like JSON, YAML otherwise; one line per problem on failure."""
    return validate_brand(load_document(text))


def validate_brand(data: object) -> BrandUpload:
    """The body checked field by field: every problem at once, named by its field."""
    if not isinstance(data, dict):
        raise ValidationFailed(["body: must be an object with brand_name and the other fields"])
    body: dict[str, Any] = {k: v for k, v in data.items() if k not in READ_ONLY}
    target_keys = {"persona_id", "persona"}
    target = {k: body.pop(k) for k in target_keys & body.keys()}
    problems: list[str] = []
    guidelines = _validated(BrandGuidelines, body, problems)
    where = _validated(_Target, target, problems)
    if problems or guidelines is None or where is None:
        raise ValidationFailed(problems)
    return BrandUpload(guidelines, where.persona_id, where.persona)


def _validated(model: type[M], data: dict[str, Any], problems: list[str]) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(problem_lines(exc))
        return None


def dump_brand_document(guidelines: BrandGuidelines) -> str:
    """The guidelines as the JSON a person can edit and send back."""
    return json.dumps(guidelines.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"

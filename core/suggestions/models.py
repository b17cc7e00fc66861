"""What /suggest asks the model for, and what the rest of the app sees of a suggestion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.hashtags import HASHTAG_PATTERN, normalize_hashtags

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class SuggestionDraft(BaseModel):
    """The model's answer. Validated before anything is stored; on failure the model is re-asked."""

    model_config = ConfigDict(extra="ignore")

    title: Short
    what: Text
    why: Text
    when: datetime = Field(
        description="ISO 8601 date-time of the proposed post, in the user's zone"
    )
    products: list[Short] = Field(default_factory=list, max_length=10)
    caption: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    # The pattern only shapes what the model may write (llama.cpp compiles it into its
    # grammar); validation stays lenient and normalises "cosy home" to "#cosyhome".
    hashtags: list[str] = Field(
        min_length=1,
        max_length=15,
        json_schema_extra={"items": {"type": "string", "pattern": HASHTAG_PATTERN}},
    )

    @field_validator("hashtags")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        tags = normalize_hashtags(value)
        if not tags:
            raise ValueError("at least one usable hashtag is needed")
        return tags

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class SuggestionView:
    id: int
    status: str
    revision: int
    title: str
    what: str
    why: str
    when: datetime
    products: tuple[str, ...]
    caption: str
    hashtags: tuple[str, ...]
    created_at: datetime
    decided_by: int | None
    post_id: int | None = None

    @classmethod
    def from_payload(
        cls,
        *,
        id: int,
        status: str,
        revision: int,
        payload: dict[str, Any],
        created_at: datetime,
        decided_by: int | None,
        post_id: int | None = None,
    ) -> SuggestionView:
        draft = SuggestionDraft.model_validate(payload)
        return cls(
            id=id,
            status=status,
            revision=revision,
            title=draft.title,
            what=draft.what,
            why=draft.why,
            when=draft.when,
            products=tuple(draft.products),
            caption=draft.caption,
            hashtags=tuple(draft.hashtags),
            created_at=created_at,
            decided_by=decided_by,
            post_id=post_id,
        )


@dataclass(frozen=True)
class Page:
    items: tuple[SuggestionView, ...]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

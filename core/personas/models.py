"""A persona as people write it: the body of POST /api/personas, or a YAML or JSON document."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.hashtags import strict_hashtags

MAX_PILLARS = 50

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Setting = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Guidelines = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
RawTag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _unique_pillars(value: list[PillarInput]) -> list[PillarInput]:
    seen: set[str] = set()
    for pillar in value:
        if pillar.name.casefold() in seen:
            raise ValueError(f"has {pillar.name!r} twice; pillar names must be unique")
        seen.add(pillar.name.casefold())
    return value


class CaptionConfig(BaseModel):
    """How captions read. Free text, so a person can say it their way ("short", "≤ 300")."""

    model_config = ConfigDict(extra="forbid")

    tone: Setting | None = None
    style: Setting | None = None
    emoji_use: Setting | None = None
    length: Setting | None = None


class HashtagStrategy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    always: list[RawTag] = Field(default_factory=list, max_length=30)
    preferred: list[RawTag] = Field(default_factory=list, max_length=100)
    avoid: list[RawTag] = Field(default_factory=list, max_length=100)
    max_per_post: int | None = Field(default=None, ge=1, le=30)
    notes: Notes | None = None

    @field_validator("always", "preferred", "avoid")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return strict_hashtags(value)


class PillarInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Notes | None = None
    weight: float = Field(default=1.0, ge=0, le=1000)
    priority: int = Field(default=0, ge=-1000, le=1000)
    active: bool = True


class PersonaInput(BaseModel):
    """Only `name` is required."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    caption_config: CaptionConfig = Field(default_factory=CaptionConfig)
    hashtag_strategy: HashtagStrategy = Field(default_factory=HashtagStrategy)
    brand_guidelines: Guidelines | None = None
    content_pillars: list[PillarInput] = Field(default_factory=list, max_length=MAX_PILLARS)

    @field_validator("content_pillars")
    @classmethod
    def _unique_names(cls, value: list[PillarInput]) -> list[PillarInput]:
        return _unique_pillars(value)


class PersonaPatch(BaseModel):
    """A partial update: fields left out stay as they are, in each pillar too.

    Pillars are matched by name ignoring case: a known one changes only the fields sent
    (its stored name stays), a new one is added, one left out is kept as it is.
    """

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    caption_config: CaptionConfig | None = None
    hashtag_strategy: HashtagStrategy | None = None
    brand_guidelines: Guidelines | None = None
    content_pillars: list[PillarInput] | None = Field(default=None, max_length=MAX_PILLARS)

    @field_validator("content_pillars")
    @classmethod
    def _unique_names(cls, value: list[PillarInput] | None) -> list[PillarInput] | None:
        return _unique_pillars(value) if value is not None else None

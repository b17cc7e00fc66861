"""The campaign plan: the REST body, the MCP tool input and, without persona_id, the LLM answer.

Times are checked against "now", which a model cannot know on its own: pass
`PlanContext` as pydantic's validation context (see `validate_plan`). Without a context
(the LLM gateway validating the raw answer) the time rules are skipped; `validate_plan`
and `CampaignService.create` always run them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.campaigns.problems import problem_lines
from core.errors import ValidationFailed
from domain.formats import (
    FORMAT_ALIASES,
    FORMATS_IN_WORDS,
    PostFormat,
    limit_for,
    published_length,
)
from domain.hashtags import HASHTAG_PATTERN, strict_hashtags
from domain.localtime import wall_to_utc

MAX_POSTS = 50
MAX_DAYS_AHEAD = 365
MAX_HASHTAGS = 30
MAX_METADATA_CHARS = 20_000


def _strip(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Name = Annotated[str, _strip(200)]
PillarName = Annotated[str, _strip(100)]
LongText = Annotated[str, _strip(2000)]
Description = Annotated[str, _strip(2000, 0)]
Caption = Annotated[str, _strip(4096)]
RawTag = Annotated[str, _strip(100)]


@dataclass(frozen=True)
class PlanContext:
    """What validation needs to know about the world: the time, and the zone of naive times."""

    now: datetime
    tz: ZoneInfo | None = None


class PostPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name = Field(description="Short internal title")
    description: Description = Field(
        default="", description="What the post shows or says, and its role in the campaign"
    )
    content_pillar_name: PillarName = Field(description="The persona's content pillar")
    image_prompt: LongText = Field(description="The picture to generate for the post")
    scheduled_at: datetime = Field(description="ISO 8601 date-time with UTC offset")
    caption_draft: Caption = Field(description="The caption, without the hashtags")
    # The pattern only shapes what a model may write (llama.cpp compiles it into its
    # grammar); validation normalises what people send ("cosy home" -> "#cosyhome").
    hashtags: list[RawTag] = Field(
        default_factory=list,
        max_length=MAX_HASHTAGS,
        json_schema_extra={"items": {"type": "string", "pattern": HASHTAG_PATTERN}},
    )
    format: PostFormat = Field(default="image", description=FORMATS_IN_WORDS)

    @field_validator("format", mode="before")
    @classmethod
    def _format_alias(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            return FORMAT_ALIASES.get(value, value)
        return value

    @field_validator("hashtags")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return strict_hashtags(value)

    @field_validator("scheduled_at")
    @classmethod
    def _in_window(cls, value: datetime, info: ValidationInfo) -> datetime:
        context = info.context
        if not isinstance(context, PlanContext):
            return value
        if value.tzinfo is None:
            if context.tz is None:
                raise ValueError("must include a UTC offset, like 2030-01-05T10:00:00+01:00")
            # A wall time the clocks skip is refused (NonexistentLocalTime is a ValueError),
            # with the reason /schedule gives, rather than quietly moved an hour on.
            value = wall_to_utc(value, context.tz).astimezone(context.tz)
        return _check_window(value, context.now)

    @model_validator(mode="after")
    def _fits_telegram(self) -> PostPlan:
        length = published_length(self.caption_draft, self.hashtags)
        limit = limit_for(self.format)
        if length > limit:
            raise ValueError(
                f"caption_draft with its hashtags is {length} characters; "
                f"{limit} is the most for format {self.format}"
            )
        return self


def _check_window(value: datetime, now: datetime) -> datetime:
    if value <= now:
        raise ValueError("must be in the future")
    if value > now + timedelta(days=MAX_DAYS_AHEAD):
        raise ValueError(f"must be at most {MAX_DAYS_AHEAD} days ahead")
    return value


def _metadata_size(value: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(value, ensure_ascii=False, default=str))
    if size > MAX_METADATA_CHARS:
        raise ValueError(f"must be at most {MAX_METADATA_CHARS} characters as JSON, not {size}")
    return value


class CampaignPlan(BaseModel):
    """The body of POST /api/campaigns and the input of CampaignService.create."""

    model_config = ConfigDict(extra="forbid")

    persona_id: int = Field(ge=1)
    campaign_name: Name
    strategy_metadata: dict[str, Any] = Field(default_factory=dict)
    posts: list[PostPlan] = Field(min_length=1, max_length=MAX_POSTS)

    @field_validator("strategy_metadata")
    @classmethod
    def _metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _metadata_size(value)


class StrategyMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: LongText = Field(description="Two or three sentences on the approach")
    key_message: LongText = Field(description="The one idea every post reinforces")
    pillar_mix: dict[str, int] = Field(description="Each pillar name mapped to its post count")
    cadence: LongText = Field(description="How the posts are spaced, and why")


class PlanDraft(BaseModel):
    """plan_schema: what the campaign_plan prompt asks the model for (the persona is known)."""

    model_config = ConfigDict(extra="forbid")

    campaign_name: Name
    strategy_metadata: StrategyMetadata
    posts: list[PostPlan] = Field(min_length=1, max_length=MAX_POSTS)

    def to_plan(self, persona_id: int) -> dict[str, Any]:
        """The draft as a CampaignPlan body, to validate against the clock."""
        body = self.model_dump(mode="json")
        return {"persona_id": persona_id, **body}


plan_schema = PlanDraft


def validate_plan(data: object, *, now: datetime, tz: ZoneInfo | None = None) -> CampaignPlan:
    """Validate a plan body with the time rules; ValidationFailed lists one line per problem."""
    try:
        return CampaignPlan.model_validate(data, context=PlanContext(now=now, tz=tz))
    except ValidationError as exc:
        raise ValidationFailed(problem_lines(exc)) from None

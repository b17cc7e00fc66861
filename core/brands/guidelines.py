"""Brand guidelines as structured, validated data: one set per persona.

The content copilot design's fields (`brand_name`, `voice`, `tone`, `values`, `colors`,
`prohibited_topics`, `keywords`) plus what the deterministic checks need: prohibited words,
required disclaimers, a link allowlist and length limits per channel. The crew settings
(on or off, the score under which the optimizer's rewrite is offered) live here too, so one
document says everything about how a persona's drafts are judged.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.brand import (
    CHANNELS,
    DEFAULT_CHANNEL_LIMITS,
    DEFAULT_QUALITY_THRESHOLD,
    HEX_COLOR,
    host_of,
)

Short = Annotated[str, Field(min_length=1, max_length=200)]


class BrandGuidelines(BaseModel):
    """What a brand allows and how it sounds; every field but `brand_name` is optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    brand_name: str = Field(min_length=1, max_length=100)
    voice: str = Field(default="", max_length=1000)
    tone: str = Field(default="", max_length=1000)
    values: list[Short] = Field(default_factory=list, max_length=50)
    colors: list[str] = Field(default_factory=list, max_length=20)
    prohibited_topics: list[Short] = Field(default_factory=list, max_length=100)
    keywords: list[Short] = Field(default_factory=list, max_length=100)
    prohibited_words: list[Short] = Field(default_factory=list, max_length=200)
    required_disclaimers: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20
    )
    # Hosts (example.com also allows shop.example.com); empty: links are not checked.
    link_allowlist: list[Short] = Field(default_factory=list, max_length=100)
    # Characters per channel; a channel not named keeps its default.
    channel_limits: dict[str, int] = Field(default_factory=dict)
    # Hashtags a draft may carry, inclusive.
    hashtag_min: int = Field(default=0, ge=0, le=30)
    hashtag_max: int = Field(default=10, ge=0, le=30)
    # The free-text guidelines a persona had before; shown to the crew as notes.
    notes: str = Field(default="", max_length=4000)
    # The review crew: on or off for this brand, and the overall score under which the
    # optimizer's rewrite is offered.
    crew_enabled: bool = True
    quality_threshold: int = Field(default=DEFAULT_QUALITY_THRESHOLD, ge=0, le=100)

    @field_validator("colors")
    @classmethod
    def _hex_colors(cls, colors: list[str]) -> list[str]:
        bad = [color for color in colors if not HEX_COLOR.match(color)]
        if bad:
            raise ValueError(f"colors must be hex codes like #1A2B3C, not: {', '.join(bad)}")
        return [color.upper() for color in colors]

    @field_validator("link_allowlist")
    @classmethod
    def _hosts(cls, hosts: list[str]) -> list[str]:
        return [host_of(host) for host in hosts]

    @field_validator("channel_limits")
    @classmethod
    def _known_channels(cls, limits: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(limits) - set(CHANNELS))
        if unknown:
            raise ValueError(f"unknown channel(s) {', '.join(unknown)}; use {', '.join(CHANNELS)}")
        low = sorted(name for name, value in limits.items() if value < 1)
        if low:
            raise ValueError(f"channel limits must be at least 1: {', '.join(low)}")
        return limits

    @model_validator(mode="after")
    def _hashtag_range(self) -> Self:
        if self.hashtag_min > self.hashtag_max:
            raise ValueError("hashtag_min must not be more than hashtag_max")
        return self

    def limit_for(self, channel: str) -> int:
        return self.channel_limits.get(channel, DEFAULT_CHANNEL_LIMITS[channel])

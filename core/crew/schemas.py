"""What each crew member must answer: one pydantic model per step, validated by the gateway.

An answer that does not fit is re-asked (core/llm/structured.py) and, after three tries,
the step is skipped with the reason. Lists are capped so a chatty model can't flood a card.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.brand import HEX_COLOR
from domain.hashtags import normalize_hashtags

Line = Annotated[str, Field(min_length=1, max_length=300)]


class _Answer(BaseModel):
    # A model may add fields of its own; only ours are read.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class CreatorAnswer(_Answer):
    """crew_creator: the draft written from a brief."""

    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    hashtags: list[str] = Field(default_factory=list, max_length=30)

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        return normalize_hashtags(tags)


class BrandAnswer(_Answer):
    """crew_brand: how well the draft sounds like the brand."""

    brand_alignment: int = Field(ge=0, le=100)
    feedback: list[Line] = Field(default_factory=list, max_length=5)


class ComplianceAnswer(_Answer):
    """crew_compliance: claims, law, platform rules; "fail" blocks Approve until confirmed."""

    verdict: Literal["pass", "fail"]
    compliance: int = Field(ge=0, le=100)
    issues: list[Line] = Field(default_factory=list, max_length=8)


class DesignAnswer(_Answer):
    """crew_design: what the picture should be, ready for ComfyUI."""

    visual_appeal: int = Field(ge=0, le=100)
    image_types: list[Line] = Field(default_factory=list, max_length=3)
    palette: list[str] = Field(default_factory=list, max_length=6)
    layout: str = Field(default="", max_length=500)
    image_prompts: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list, max_length=3
    )
    feedback: list[Line] = Field(default_factory=list, max_length=3)

    @field_validator("palette")
    @classmethod
    def _hex(cls, colors: list[str]) -> list[str]:
        bad = [color for color in colors if not HEX_COLOR.match(color)]
        if bad:
            raise ValueError(f"palette must be hex codes like #1A2B3C, not: {', '.join(bad)}")
        return [color.upper() for color in colors]


class OptimizerAnswer(_Answer):
    """crew_optimizer: the draft's main text rewritten with every finding fixed."""

    overall_quality: int = Field(ge=0, le=100)
    rewrite: str = Field(min_length=1, max_length=20_000)
    changes: list[Line] = Field(default_factory=list, max_length=6)

"""The review crew's data: what it is asked to judge (Draft, Brief), what it answers
(CrewReport with Scores, findings, feedback, design advice, the rewrite) and the stored
review with its live progress (CrewReview).

Validated, frozen pydantic models: they are stored as JSON, shown on cards and returned by
the API, so what goes in is what comes out. The enums they use are the domain's
(domain.crew), which storage reads too.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.brand import CHANNELS
from domain.crew import ContentType, ItemKind, ReviewStatus, StepName, StepState


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Scores(_Frozen):
    """The content copilot design's `validations`, 0-100 each."""

    brand_alignment: int = Field(ge=0, le=100)
    compliance: int = Field(ge=0, le=100)
    readability: int = Field(ge=0, le=100)
    overall_quality: int = Field(ge=0, le=100)


class CheckFinding(_Frozen):
    """One deterministic check that did not pass."""

    check: str  # prohibited_word | prohibited_topic | disclaimer | length | hashtags | link
    message: str  # what is wrong and how to fix it, for a person
    blocking: bool  # a compliance failure: Approve waits for a person's confirmation


class StepReport(_Frozen):
    step: StepName
    state: StepState
    # Why a step was skipped (timeout, model error, budget, crew off for the step).
    reason: str = ""
    feedback: list[str] = []
    cost_microusd: int = 0
    llm_call_id: int | None = None


class DesignAdvice(_Frozen):
    image_types: list[str] = []
    palette: list[str] = []  # hex codes
    layout: str = ""
    # Ready for ComfyUI (/pickimage) as it is.
    image_prompts: list[str] = []


class CreatedContent(_Frozen):
    """The creator's draft when the crew wrote one from a brief."""

    title: str = ""
    text: str
    hashtags: list[str] = []


class CrewReport(_Frozen):
    scores: Scores
    # The design's `agent_feedback`: short lines, each prefixed by the step that wrote it.
    agent_feedback: list[str]
    findings: list[CheckFinding]
    steps: list[StepReport]
    design: DesignAdvice | None = None
    # The optimizer's rewrite of the draft's main text; None when it was skipped.
    rewrite: str | None = None
    compliance_failed: bool = False
    cost_microusd: int = 0
    # The creator's draft when the crew wrote it from a brief (/write); None otherwise.
    created: CreatedContent | None = None


# -- what callers hand the crew, and what they read back (crew helper, issue 14) ----------


class Brief(_Frozen):
    """What /write and POST /api/campaign/create ask for: the creator writes from it."""

    campaign_brief: str = Field(min_length=1, max_length=4000)
    target_audience: str = Field(default="", max_length=1000)
    content_type: ContentType = ContentType.SOCIAL_MEDIA


class Draft(_Frozen):
    """One item for the crew to review, as the item's owner sees it.

    `text` is the main text (a post's caption, a reply's or an email's body); the optimizer's
    rewrite replaces exactly this. With a `brief` the creator writes the draft first and
    `text` may be empty. `channel` is one of `domain.brand.CHANNELS` and picks the length
    limit: posts and suggestions "telegram" (or "telegram_caption" with an image), replies
    and sequence emails "email", /write by content type, SMS flows "sms".

    `parts`: the separate messages `text` is made of, when it is several (an SMS flow's
    texts): the channel's length limit then applies to each of them, not to their sum.
    """

    kind: ItemKind
    item_id: int
    text: str = Field(default="", max_length=100_000)
    title: str = Field(default="", max_length=1000)  # a post's title, an email's subject
    hashtags: list[str] = []
    channel: str = "telegram"
    persona_id: int | None = None
    # A brand picked by id (/write's `brand_id`); wins over the persona's brand.
    brand_id: int | None = None
    image_prompt: str = Field(default="", max_length=4000)
    brief: Brief | None = None
    parts: list[str] = []

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, channel: str) -> str:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; use {', '.join(CHANNELS)}")
        return channel


class CrewReview(_Frozen):
    """One crew run on one version of an item: its progress while it runs, then its report."""

    id: int
    kind: ItemKind
    item_id: int
    content_hash: str
    status: ReviewStatus
    # Every step this run has, in order, with its state so far (the live progress).
    steps: list[StepReport]
    report: CrewReport | None = None
    error: str = ""
    cost_microusd: int = 0
    # Who said "Approve anyway? I checked it" on a compliance failure, and when.
    compliance_confirmed_by: int | None = None
    compliance_confirmed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def finished(self) -> bool:
        return self.status in (ReviewStatus.DONE, ReviewStatus.FAILED)

    @property
    def blocks_approval(self) -> bool:
        """A compliance failure nobody has confirmed yet: Approve must ask first."""
        failed = self.report is not None and self.report.compliance_failed
        return failed and self.compliance_confirmed_by is None

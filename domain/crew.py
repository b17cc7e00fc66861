"""The review crew's vocabulary: its steps and their states, the kinds of item it reviews,
the content types of a brief, and a review's status.

Five steps: the creator (the call that wrote the draft; for /write the crew_creator
template), then brand, compliance and design concurrently, then the optimizer with all
their feedback. A step that fails or times out is `skipped`, never fatal. The validated
models built on these (Draft, CrewReport, CrewReview, ...) are core.crew.types.
"""

from __future__ import annotations

from enum import StrEnum


class StepName(StrEnum):
    CREATOR = "creator"
    BRAND = "brand"
    COMPLIANCE = "compliance"
    DESIGN = "design"
    OPTIMIZER = "optimizer"


STEP_LABELS: dict[StepName, str] = {
    StepName.CREATOR: "Creator",
    StepName.BRAND: "Brand manager",
    StepName.COMPLIANCE: "Compliance officer",
    StepName.DESIGN: "Design advisor",
    StepName.OPTIMIZER: "Optimizer",
}


class StepState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"


class ItemKind(StrEnum):
    """What a crew review (and an outcome) is about: the kinds of generated item."""

    POST = "post"
    SUGGESTION = "suggestion"
    REPLY = "reply"
    SEQUENCE_EMAIL = "sequence_email"
    CONTENT = "content"  # /write and POST /api/campaign/create
    FLOW = "flow"  # an SMS flow version (/flow, POST /api/v1/generateFlow): outcomes only


class ContentType(StrEnum):
    """The content copilot design's `content_type` of a brief."""

    BLOG_POST = "blog_post"
    SOCIAL_MEDIA = "social_media"
    EMAIL = "email"
    AD_COPY = "ad_copy"


class ReviewStatus(StrEnum):
    PENDING = "pending"  # requested, no worker has it yet
    RUNNING = "running"  # a worker holds its lease; `steps` tick as they finish
    DONE = "done"  # `report` is set (some steps may be skipped)
    FAILED = "failed"  # nothing usable: `error` says why for a person

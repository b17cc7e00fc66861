"""Content written from a brief (/write, POST /api/campaign/create) as plain data.

The design's `status` of a campaign response, and where each content type is measured
against its length limit (the brand's `channel_limits`).
"""

from __future__ import annotations

from enum import StrEnum

from domain.crew import ContentType


class ContentStatus(StrEnum):
    """The content copilot design's status values, as they are."""

    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


# Where each content type goes, for the crew's length check (domain.brand.CHANNELS).
CHANNEL_OF: dict[ContentType, str] = {
    ContentType.BLOG_POST: "blog",
    ContentType.SOCIAL_MEDIA: "telegram",
    ContentType.EMAIL: "email",
    ContentType.AD_COPY: "telegram",
}

CONTENT_TYPE_LABELS: dict[ContentType, str] = {
    ContentType.BLOG_POST: "Blog post",
    ContentType.SOCIAL_MEDIA: "Social media post",
    ContentType.EMAIL: "Email",
    ContentType.AD_COPY: "Ad copy",
}

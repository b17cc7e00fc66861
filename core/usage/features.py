"""Which feature a logged call belongs to, named as the shop owner knows it.

The call log knows templates (`email_reply_inquiry`, `crew_brand`, ...); /usage speaks of
features ("Email replies", "Review crew"). A template joins a feature by its name's prefix,
so a new variant or step of a feature needs no change here.
"""

from __future__ import annotations

OTHER = "Other"
# Longest prefix first is not needed: no prefix here is a prefix of another.
_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("suggest_post", "Post ideas"),
    ("campaign_plan", "Campaign plans"),
    ("regenerate_post", "Post rewrites"),
    ("email_reply_", "Email replies"),
    ("sequence_email", "Sequence emails"),
    ("crew_", "Review crew"),
    ("flow_", "SMS flows"),  # flow_generate and its repair rounds, flow_repair
    ("report", "Reports"),
)


def feature_of(template: str | None) -> str:
    """The feature a template serves; calls made without a template are "Other"."""
    if template:
        for prefix, feature in _BY_PREFIX:
            if template.startswith(prefix):
                return feature
    return OTHER

"""Where a generated SMS flow stands (issue 15). Storage reads these; core decides them."""

from __future__ import annotations

from enum import StrEnum


class FlowStatus(StrEnum):
    """A flow's status is about its current version: a new version makes it a draft again,
    while `approved_version` keeps the last version a person approved."""

    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"

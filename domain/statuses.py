"""The post lifecycle as data: which status may follow which.

    draft → awaiting_image → ready → scheduled → publishing → published | failed
    rejected from any status before publishing

A few backward steps exist because people change their minds: an image can be
regenerated (ready → awaiting_image), a post unscheduled (scheduled → ready), and an
image run given up (awaiting_image → draft). A failed post can be retried.

Publishing adds two statuses for a human to settle (core/publishing): `unknown`, when a
send was cut off and nobody knows whether it went out (never re-sent blindly), and
`missed`, when a post was due too long ago (downtime) or lost its approval to an edit.
A claim whose lease ran out before the send started goes back to scheduled.
"""

from __future__ import annotations

from enum import StrEnum


class PostStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_IMAGE = "awaiting_image"
    READY = "ready"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    MISSED = "missed"


S = PostStatus

ALLOWED: dict[PostStatus, frozenset[PostStatus]] = {
    # A text post needs no image, so a draft may become ready directly.
    S.DRAFT: frozenset({S.AWAITING_IMAGE, S.READY, S.REJECTED}),
    S.AWAITING_IMAGE: frozenset({S.READY, S.DRAFT, S.REJECTED}),
    S.READY: frozenset({S.SCHEDULED, S.AWAITING_IMAGE, S.REJECTED}),
    S.SCHEDULED: frozenset({S.PUBLISHING, S.READY, S.REJECTED, S.MISSED}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED, S.UNKNOWN, S.SCHEDULED}),
    # Retry at a new time, or go back to fix what made it fail.
    S.FAILED: frozenset({S.SCHEDULED, S.READY}),
    S.PUBLISHED: frozenset(),
    S.REJECTED: frozenset(),
    # A human says it went out, or has it sent again.
    S.UNKNOWN: frozenset({S.PUBLISHED, S.SCHEDULED}),
    # Publish now or at a new time, put it back, or drop it.
    S.MISSED: frozenset({S.SCHEDULED, S.READY, S.REJECTED}),
}

BEFORE_PUBLISHING = frozenset({S.DRAFT, S.AWAITING_IMAGE, S.READY, S.SCHEDULED})
# The content can still change, so it can still be (re)approved or edited.
APPROVABLE = BEFORE_PUBLISHING | {S.FAILED, S.MISSED}
EDITABLE = BEFORE_PUBLISHING | {S.MISSED}
# Where a person may give a post a time (schedule, reschedule, publish now), and take it off.
SCHEDULABLE: tuple[PostStatus, ...] = (S.READY, S.SCHEDULED, S.MISSED, S.FAILED)
UNSCHEDULABLE: tuple[PostStatus, ...] = (S.SCHEDULED, S.MISSED)

# Position along the main line, to tell "back to" from "on to" in messages.
_RANK = {S.DRAFT: 0, S.AWAITING_IMAGE: 1, S.READY: 2, S.SCHEDULED: 3, S.PUBLISHING: 4}


def is_allowed(current: PostStatus, target: PostStatus) -> bool:
    return target in ALLOWED[current]


def refusal(post_id: int, current: PostStatus, target: PostStatus) -> str:
    """'Post #4 is published; it can't go back to draft' and the like."""
    head = f"Post #{post_id} is {current}"
    backwards = _RANK.get(target, 99) < _RANK.get(current, 99)
    if not ALLOWED[current]:
        return (
            f"{head}; it can't go back to {target}"
            if backwards
            else f"{head}; it can't change any more"
        )
    verb = "go back to" if backwards else "go to"
    options = ", ".join(sorted(ALLOWED[current]))
    return f"{head}; it can't {verb} {target} (it can go to: {options})"


def parse(value: str) -> PostStatus:
    try:
        return PostStatus(value)
    except ValueError:
        known = ", ".join(status.value for status in PostStatus)
        raise ValueError(f"unknown post status {value!r}; known: {known}") from None

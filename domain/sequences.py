"""The email-sequence vocabulary: schedule kinds, email structures and statuses.

An email of a sequence goes

    planned → writing → pending → approved → sending → sent

`writing` is a claim with a start time (a crashed writer's claim is taken over);
`pending` waits for a human in /approve; editing an approved email makes it pending
again. An email still unapproved when its time comes is `held`: never sent, and the
admins are told once; a held email can be approved (it then goes out at once) or
rejected. `rejected` is final. `sending` and `sent` belong to the mailing side
(core/mailing), which sends an approved email once its time has come.
"""

from __future__ import annotations

from enum import StrEnum


class ScheduleType(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class SequenceStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


class EmailStructure(StrEnum):
    """The four shapes an email takes in turn (the campaign builder's prompt variations)."""

    INFORMATIONAL = "informational"
    PROMOTIONAL = "promotional"
    STORY = "story"
    DIRECT = "direct"


ROTATION: tuple[EmailStructure, ...] = tuple(EmailStructure)


def structure_for(number: int) -> EmailStructure:
    """Email #1 informational, #2 promotional, #3 story, #4 direct, #5 informational…"""
    return ROTATION[(number - 1) % len(ROTATION)]


class SequenceEmailStatus(StrEnum):
    PLANNED = "planned"
    WRITING = "writing"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HELD = "held"
    SENDING = "sending"
    SENT = "sent"


E = SequenceEmailStatus

# Not yet approved content: what the held sweep holds when its time comes.
UNAPPROVED: tuple[SequenceEmailStatus, ...] = (E.PLANNED, E.WRITING, E.PENDING)
# Where a person may approve, edit, regenerate or reject an email.
REVIEWABLE: tuple[SequenceEmailStatus, ...] = (E.PENDING, E.HELD)
# Content may still change (edit, regenerate) in these.
EDITABLE: tuple[SequenceEmailStatus, ...] = (E.PENDING, E.APPROVED, E.HELD)

"""The Mini App calendar's statuses: one colour each, mapped from posts' and emails' own.

A post `publishing` right now shows as scheduled (it is on its way); a sequence email
waiting to be written or approved shows as a draft, an approved one as scheduled, a held
one as missed (its time came without an approval). Rejected items are not on the calendar.
"""

from __future__ import annotations

from enum import StrEnum

from domain.sequences import SequenceEmailStatus as E
from domain.statuses import PostStatus as S


class CalendarStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_IMAGE = "awaiting_image"
    READY = "ready"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    UNKNOWN = "unknown"


C = CalendarStatus

OF_POST: dict[str, CalendarStatus] = {
    S.DRAFT: C.DRAFT, S.AWAITING_IMAGE: C.AWAITING_IMAGE, S.READY: C.READY,
    S.SCHEDULED: C.SCHEDULED, S.PUBLISHING: C.SCHEDULED, S.PUBLISHED: C.PUBLISHED,
    S.FAILED: C.FAILED, S.MISSED: C.MISSED, S.UNKNOWN: C.UNKNOWN,
}  # fmt: skip

OF_EMAIL: dict[str, CalendarStatus] = {
    E.PLANNED: C.DRAFT, E.WRITING: C.DRAFT, E.PENDING: C.DRAFT, E.APPROVED: C.SCHEDULED,
    E.SENDING: C.SCHEDULED, E.SENT: C.PUBLISHED, E.HELD: C.MISSED,
}  # fmt: skip

# Left off the calendar: nobody will send these.
HIDDEN_POSTS: tuple[str, ...] = (S.REJECTED,)
HIDDEN_EMAILS: tuple[str, ...] = (E.REJECTED,)


def of_post(status: str) -> CalendarStatus:
    return OF_POST.get(status, C.UNKNOWN)


def of_email(status: str) -> CalendarStatus:
    return OF_EMAIL.get(status, C.UNKNOWN)

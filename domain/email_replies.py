"""Reply drafts to customer emails as data: statuses, tones, response types.

    drafting → pending → approved → sending → sent
                       ↘ rejected          ↘ failed (5xx: 🔁 Retry → approved)
                                           ↘ unknown (timeout after DATA: a human says
                                             "it was sent" → sent, or "send again" → approved)

A 4xx answer puts a sending reply back to approved with a later attempt time. `drafting`
is a claim: the row exists before the model is asked, so one email gets one draft even
with two replicas; its lease lets a restart take over a draft a crash cut off.
"""

from __future__ import annotations

from enum import StrEnum


class ReplyStatus(StrEnum):
    DRAFTING = "drafting"
    PENDING = "pending"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REJECTED = "rejected"


R = ReplyStatus

ALLOWED: dict[ReplyStatus, frozenset[ReplyStatus]] = {
    R.DRAFTING: frozenset({R.PENDING}),
    # Edit, regenerate and change tone keep it pending (a new revision).
    R.PENDING: frozenset({R.APPROVED, R.REJECTED}),
    # A reply waiting for another try (after a 4xx) can still be called off.
    R.APPROVED: frozenset({R.SENDING, R.REJECTED}),
    R.SENDING: frozenset({R.SENT, R.FAILED, R.UNKNOWN, R.APPROVED}),
    R.FAILED: frozenset({R.APPROVED, R.REJECTED}),
    R.UNKNOWN: frozenset({R.SENT, R.APPROVED}),
    R.SENT: frozenset(),
    R.REJECTED: frozenset(),
}

# Waiting for a person in /approve.
WAITING = (R.PENDING, R.FAILED, R.UNKNOWN)


class Tone(StrEnum):
    PROFESSIONAL = "professional"
    FRIENDLY = "friendly"
    APOLOGETIC = "apologetic"


class ResponseType(StrEnum):
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    RETURN = "return"
    OTHER = "other"

"""What a sequence and its emails look like to callers, and their JSON (the API's bodies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from core.sequences.schedule import Cadence
from domain.sequences import ScheduleType
from storage.models import EmailSequence, SequenceEmail


@dataclass(frozen=True)
class SequenceView:
    id: int
    name: str
    description: str
    schedule_type: ScheduleType
    weekly_emails: int | None
    weekly_days: tuple[int, ...]
    total_months: int
    ai_agent_id: str | None
    status: str
    tz: ZoneInfo
    send_time: time
    starts_on: date
    created_by: str
    created_at: datetime
    recipient_count: int
    # Emails per status (planned, pending, approved, held, sent, …).
    email_counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_row(
        cls, row: EmailSequence, recipients: int, counts: Mapping[str, int]
    ) -> SequenceView:
        return cls(
            id=row.id, name=row.name, description=row.description,
            schedule_type=ScheduleType(row.schedule_type), weekly_emails=row.weekly_emails,
            weekly_days=tuple(row.weekly_days), total_months=row.total_months,
            ai_agent_id=row.ai_agent_id, status=row.status, tz=ZoneInfo(row.tz),
            send_time=row.send_time, starts_on=row.starts_on, created_by=row.created_by,
            created_at=row.created_at, recipient_count=recipients, email_counts=dict(counts),
        )  # fmt: skip

    @property
    def cadence(self) -> Cadence:
        if self.schedule_type is ScheduleType.DAILY:
            return Cadence.daily(self.total_months)
        return Cadence.weekly(self.total_months, self.weekly_emails, self.weekly_days)

    def summary(self) -> str:
        """'2 emails a week, taking turns on Mon, Wed, Fri, at 09:00 Europe/Berlin, for 3 months'"""
        months = f"{self.total_months} month{'s' if self.total_months != 1 else ''}"
        return f"{self.cadence.summary()}, at {self.send_time:%H:%M} {self.tz.key}, for {months}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "schedule_type": self.schedule_type.value,
            "weekly_emails": self.weekly_emails,
            "weekly_days": list(self.weekly_days),
            "total_months": self.total_months,
            "ai_agent_id": self.ai_agent_id,
            "status": self.status,
            "schedule": {
                "summary": self.summary(),
                "timezone": self.tz.key,
                "send_time": f"{self.send_time:%H:%M}",
                "start_date": self.starts_on.isoformat(),
            },
            "recipient_count": self.recipient_count,
            "email_count": sum(self.email_counts.values()),
            "emails_by_status": dict(self.email_counts),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class SequenceEmailView:
    id: int
    sequence_id: int
    sequence_name: str
    number: int
    due_at: datetime
    structure: str
    status: str
    revision: int
    subject: str | None
    body_text: str | None
    body_html: str | None
    key_points: tuple[str, ...]
    error: str | None
    approved_at: datetime | None
    seen_at: datetime | None
    held_at: datetime | None
    # Sends per delivery status (sent, failed, …) from the mailing side; empty before any.
    deliveries: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: SequenceEmail, sequence_name: str) -> SequenceEmailView:
        return cls(
            id=row.id, sequence_id=row.sequence_id, sequence_name=sequence_name,
            number=row.number, due_at=row.due_at, structure=row.structure, status=row.status,
            revision=row.revision, subject=row.subject, body_text=row.body_text,
            body_html=row.body_html, key_points=tuple(row.key_points), error=row.error,
            approved_at=row.approved_at, seen_at=row.seen_at, held_at=row.held_at,
        )  # fmt: skip

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "due_at": self.due_at.isoformat(),
            "due_local": self.due_at.astimezone(tz).isoformat(),
            "structure": self.structure,
            "status": self.status,
            "subject": self.subject,
            "body_text": self.body_text,
            "key_points": list(self.key_points),
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "deliveries": dict(self.deliveries),
        }


@dataclass(frozen=True)
class RecipientView:
    email: str
    consent_source: str
    consent_at: datetime
    # Sends per delivery status (sent, failed, …) from the mailing side; empty before any.
    deliveries: Mapping[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "consent_source": self.consent_source,
            "consent_at": self.consent_at.isoformat(),
            "deliveries": dict(self.deliveries),
        }


@dataclass(frozen=True)
class SequenceDetail:
    """A sequence with its emails (planned times first of all) and its recipients."""

    sequence: SequenceView
    emails: tuple[SequenceEmailView, ...]
    recipients: tuple[RecipientView, ...]
    # Problems a person should know of, not errors ("3 duplicate addresses were merged").
    notes: tuple[str, ...] = ()

    def delivery_totals(self) -> dict[str, int]:
        """Delivery status -> count over all the emails."""
        return _totals(self.emails)

    def as_json(self) -> dict[str, Any]:
        tz = self.sequence.tz
        return {
            **self.sequence.as_json(),
            "recipient_emails": [r.email for r in self.recipients],
            "recipients": [r.as_json() for r in self.recipients],
            "planned_send_times": [e.due_at.astimezone(tz).isoformat() for e in self.emails],
            "emails": [e.as_json(tz) for e in self.emails],
            "deliveries": self.delivery_totals(),
            "notes": list(self.notes),
        }


def _totals(emails: Sequence[SequenceEmailView]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for email in emails:
        for status, count in email.deliveries.items():
            totals[status] = totals.get(status, 0) + count
    return totals


def email_views(rows: Sequence[SequenceEmail], name: str) -> tuple[SequenceEmailView, ...]:
    return tuple(SequenceEmailView.from_row(row, name) for row in rows)

"""The create body of a sequence: the email campaign builder design's, as it is.

    {"name", "description", "schedule_type": "daily"|"weekly", "weekly_emails",
     "weekly_days", "total_months", "ai_agent_id", "recipient_emails"}

plus two optional fields of ours: `start_date` (YYYY-MM-DD, local; default tomorrow)
and `send_time` (HH:MM, local; default SEQUENCE_SEND_TIME). Unknown fields are refused,
so a misspelt one is not silently ignored. `validate_spec` turns every problem into one
line, named the way the body names it ("Recipient #2: 'bob@' is not an email address").
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from core.campaigns.problems import problem_lines
from core.errors import ValidationFailed
from core.sequences.recipients import from_addresses
from core.sequences.schedule import Cadence
from domain.sequences import ScheduleType

MAX_MONTHS = 12
MAX_RECIPIENTS = 10_000
_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
LABELS = {"recipient_emails": "Recipient", "weekly_days": "Weekly day"}


class SequenceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description = ""
    schedule_type: Literal["daily", "weekly"]
    weekly_emails: int | None = Field(default=None, ge=1, le=7)
    weekly_days: list[Annotated[int, Field(ge=1, le=7)]] | None = Field(default=None, max_length=7)
    total_months: int = Field(ge=1, le=MAX_MONTHS)
    ai_agent_id: str | None = Field(default=None, max_length=200)
    recipient_emails: list[str] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    start_date: date | None = None
    send_time: str | None = None

    @field_validator("ai_agent_id")
    @classmethod
    def _model_string(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not _MODEL.match(value):
            raise ValueError(f"{value!r} is not a litellm model string, like openai/gpt-4o-mini")
        return value

    @field_validator("send_time")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and not _HHMM.match(value.strip()):
            raise ValueError("must be a 24-hour time HH:MM, like 09:00")
        return value.strip() if value else None

    @field_validator("weekly_days")
    @classmethod
    def _once_each(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("lists a day twice; name each weekday once (1 Monday … 7 Sunday)")
        return value

    @model_validator(mode="after")
    def _fits_schedule(self) -> SequenceSpec:
        if self.schedule_type == ScheduleType.DAILY.value:
            if self.weekly_days or self.weekly_emails is not None:
                raise ValueError(
                    "weekly_emails and weekly_days are for schedule_type weekly; "
                    "a daily sequence sends one email every day"
                )
            return self
        days, emails = self.weekly_days or [], self.weekly_emails
        if days and emails is not None and emails > len(days):
            raise ValueError(
                f"weekly_emails is {emails} but weekly_days lists {len(days)} day"
                f"{'s' if len(days) != 1 else ''}: list at least {emails} days"
            )
        return self

    def cadence(self) -> Cadence:
        if self.schedule_type == ScheduleType.DAILY.value:
            return Cadence.daily(self.total_months)
        return Cadence.weekly(self.total_months, self.weekly_emails, self.weekly_days or [])

    def send_at(self, default: time) -> time:
        if self.send_time is None:
            return default
        hours, minutes = self.send_time.split(":")
        return time(int(hours), int(minutes))


def validate_spec(data: object) -> SequenceSpec:
    """The body checked; ValidationFailed lists every problem, addresses included."""
    problems: list[str] = []
    spec: SequenceSpec | None = None
    try:
        spec = SequenceSpec.model_validate(data)
    except ValidationError as exc:
        problems = problem_lines(exc, labels=LABELS)
    problems += _address_problems(data)
    if problems or spec is None:
        raise ValidationFailed(problems)
    return spec


def _address_problems(data: object) -> list[str]:
    addresses = data.get("recipient_emails") if isinstance(data, dict) else None
    if not isinstance(addresses, list) or len(addresses) > MAX_RECIPIENTS:
        return []  # the model's own check names the problem
    strings = [a for a in addresses if isinstance(a, str)]
    if len(strings) != len(addresses):
        return []  # "must be a string" lines came from the model already
    return from_addresses(strings, source="check").problems

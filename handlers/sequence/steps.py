"""The steps of /sequence as data: state, question, buttons, and how a typed answer is read.

    name → description → daily or weekly → (weekly: emails a week → days) → months
    → recipients (paste or CSV) → summary with the planned send times → ✅ Create

Where the person is lives in the database (core.conversations), so a restart resumes.
"""

from __future__ import annotations

from typing import Any

from handlers.common.steps import Step as Step  # re-exported: the feature's step type
from handlers.common.steps import StepInputError as StepInputError

PREFIX = "sequence:"
NAME = PREFIX + "name"
DESCRIPTION = PREFIX + "description"
SCHEDULE = PREFIX + "schedule"
PER_WEEK = PREFIX + "per_week"
DAYS = PREFIX + "days"
MONTHS = PREFIX + "months"
RECIPIENTS = PREFIX + "recipients"
CONSENT = PREFIX + "consent"  # a list without consent read: ✅ They agreed / ✏️ Send another
SUMMARY = PREFIX + "summary"
TOTAL_STEPS = 6
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_MONTHS = 12
DAILY, WEEKLY = "daily", "weekly"


STEPS: tuple[Step, ...] = (
    Step(NAME, 1, "Name", "What is the sequence called?\n<i>e.g. Product Launch Series</i>"),
    Step(
        DESCRIPTION, 2, "About",
        "What is it about? The writer reads this before every email.\n"
        "<i>e.g. Weekly emails about our new product features</i>",
    ),
    Step(SCHEDULE, 3, "Schedule", "How often should an email go out?",
         options=(("📅 Daily", DAILY), ("🗓 Weekly", WEEKLY))),
    Step(PER_WEEK, 4, "Emails a week", "How many emails a week?",
         options=tuple((str(n), str(n)) for n in range(1, 8))),
    Step(
        DAYS, 4, "Days",
        "On which days? Tap to pick (✓), then <b>Done</b>.\n"
        "<i>With more days than emails a week, the days take turns.</i>",
    ),
    Step(
        MONTHS, 5, "Months", f"For how many months (1–{MAX_MONTHS})? Tap one or send a number.",
        options=tuple((n, n) for n in ("1", "2", "3", "6", "12")),
    ),
    Step(
        RECIPIENTS, 6, "Recipients",
        "Who gets it? Paste the addresses (one per line, or separated by commas), or send "
        "a <b>CSV file</b>: <code>email,consent,consent_source</code> — rows without "
        "consent are refused.",
    ),
)  # fmt: skip
BY_STATE = {step.state: step for step in STEPS}


def next_state(state: str, data: dict[str, Any]) -> str:
    """The step after `state`; daily sequences skip the weekly questions."""
    if state == SCHEDULE:
        return PER_WEEK if data.get("schedule_type") == WEEKLY else MONTHS
    order = [NAME, DESCRIPTION, SCHEDULE, PER_WEEK, DAYS, MONTHS, RECIPIENTS]
    return order[order.index(state) + 1]


def read_answer(state: str, text: str) -> dict[str, Any]:
    """The data a typed answer (or a tapped option) adds; StepInputError says what's wrong."""
    if state == NAME:
        return {"name": _text(text, MAX_NAME)}
    if state == DESCRIPTION:
        return {"description": _text(text, MAX_DESCRIPTION)}
    if state == SCHEDULE:
        return _schedule(text)
    if state == PER_WEEK:
        return {"weekly_emails": _number(text, 1, 7, "emails a week")}
    if state == MONTHS:
        return {"total_months": _number(text, 1, MAX_MONTHS, "months")}
    raise StepInputError("Use the buttons above for this step.")


def _text(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise StepInputError("Please send it as a text message.")
    if len(text) > limit:
        raise StepInputError(f"That is {len(text)} characters; please keep it under {limit}.")
    return text


def _schedule(text: str) -> dict[str, Any]:
    kind = text.strip().lower()
    if kind not in (DAILY, WEEKLY):
        raise StepInputError("Tap 📅 Daily or 🗓 Weekly.")
    return {"schedule_type": kind} if kind == WEEKLY else {"schedule_type": kind,
                                                           "weekly_emails": None,
                                                           "weekly_days": []}  # fmt: skip


def _number(text: str, low: int, high: int, what: str) -> int:
    try:
        number = int(text.strip())
    except ValueError:
        raise StepInputError(f"Send a number of {what} from {low} to {high}.") from None
    if not low <= number <= high:
        raise StepInputError(f"{number} won't do: send a number from {low} to {high}.")
    return number


def toggle_day(days: list[int], day: int) -> list[int]:
    """ISO weekdays (1 Monday … 7 Sunday), sorted; tapping a picked day unpicks it."""
    chosen = set(days) ^ {day}
    return sorted(d for d in chosen if 1 <= d <= 7)


def days_problem(days: list[int], per_week: int) -> str | None:
    if not days:
        return "Pick at least one day."
    if len(days) < per_week:
        return f"{per_week} emails a week need at least {per_week} days; pick more."
    return None


def request_body(data: dict[str, Any]) -> dict[str, Any]:
    """The sequence as the REST API's create body (the campaign builder design's)."""
    keys = ("name", "description", "schedule_type", "weekly_emails", "weekly_days", "total_months")
    return {key: data.get(key) for key in keys}

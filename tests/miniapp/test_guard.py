"""core's errors become the statuses docs/DASHBOARD.md's routes answer with, worded as core
wrote them; a compliance failure says it needs a confirmation."""

from __future__ import annotations

import pytest

from bot.miniapp.guard import as_refusal
from core.errors import (
    AlreadyDecided,
    Conflict,
    CopilotError,
    FeatureOff,
    InvalidTransition,
    LLMTimeout,
    NotFound,
    ValidationFailed,
)
from core.posts.crew_gate import ComplianceUnconfirmed


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValidationFailed(["text: too long"]), 400),
        (NotFound("Post #4 does not exist."), 404),
        (AlreadyDecided("Post #4 was already approved."), 409),
        (InvalidTransition("Post #4 is published."), 409),
        (Conflict("taken"), 409),
        (FeatureOff("Email sending is off."), 409),
        (LLMTimeout("The model took too long."), 502),
        (CopilotError("Something specific."), 400),
    ],
)
def test_each_error_has_its_status_and_message(error: CopilotError, status: int) -> None:
    refusal = as_refusal(error)
    assert (refusal.status, str(refusal)) == (status, str(error))


def test_a_compliance_failure_asks_for_a_confirmation() -> None:
    refusal = as_refusal(ComplianceUnconfirmed("Approve anyway? I checked it"))
    assert refusal.status == 409 and refusal.extra == {"needs_confirmation": True}
    assert as_refusal(ValidationFailed(["a", "b"])).extra == {"details": ["a", "b"]}

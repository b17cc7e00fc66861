"""What is wrong with a flow, one precise sentence per problem.

The same sentences go to a person (Telegram, the API's 422 details) and to the model in a
repair round, so each names the step and says what to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ProblemCode = Literal[
    "json",  # not a JSON object with initialStepID and steps
    "schema",  # a step does not match its node type's schema
    "duplicate",  # two steps share an id
    "initial",  # initialStepID names no step
    "target",  # an event points to a step that does not exist
    "orphan",  # a step no path from the start reaches
    "dead_end",  # a step from which no path reaches an end step
    "cycle",  # a loop with no delay or wait in it
    "shares",  # experiment shares do not add up to 100
    "events",  # a step lacks an event it needs, or has one it can't have
    "opt_out",  # the first message has no opt-out wording
    "placeholder",  # unknown placeholder or wrong {{name}} syntax
    "link",  # a URL outside the allowlist
    "length",  # a message over the segment limit
]


@dataclass(frozen=True, slots=True)
class Problem:
    code: ProblemCode
    step_id: str | None  # None: the flow as a whole
    message: str

    def __str__(self) -> str:
        return self.message

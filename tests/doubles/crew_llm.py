"""An OpenAI-compatible server that answers each review crew step by who is asked.

The crew asks three models at once, so a queue (FakeLLMServer) can't say which answer
goes to whom: this server reads the system message ("You are the brand manager ...") and
answers as scripted for that step, after `delay_s` (bench/crew.py's fixed delay per call).
A step scripted with an int answers that HTTP status instead; `hang_s` makes it slow.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from domain.crew import StepName
from tests.doubles import openai_compat
from tests.doubles.openai_compat import OpenAICompatServer, error_body

# How each template's system message introduces its crew member.
ROLES: dict[str, StepName] = {
    "You are the content creator": StepName.CREATOR,
    "You are the brand manager": StepName.BRAND,
    "You are the compliance officer": StepName.COMPLIANCE,
    "You are the design advisor": StepName.DESIGN,
    "You are the optimizer": StepName.OPTIMIZER,
}


def good_answers() -> dict[StepName, dict[str, Any] | int]:
    """A valid answer for every step: a decent draft, on brand, compliant."""
    return {
        StepName.CREATOR: {
            "title": "Merino socks are back",
            "text": "Our merino socks are back in stock. Warm feet all winter. Come by this week!",
            "hashtags": ["#merino", "#socks", "#berlin"],
        },
        StepName.BRAND: {"brand_alignment": 84, "feedback": ["Name the wool's origin."]},
        StepName.COMPLIANCE: {"verdict": "pass", "compliance": 95, "issues": []},
        StepName.DESIGN: {
            "visual_appeal": 70,
            "image_types": ["product close-up", "lifestyle"],
            "palette": ["#7a4e2d", "#F2E8DC"],
            "layout": "Socks centred on a wooden table, soft window light.",
            "image_prompts": ["Merino wool socks on an oak table, morning light, cosy"],
            "feedback": ["Show the socks being worn."],
        },
        StepName.OPTIMIZER: {
            "overall_quality": 78,
            "rewrite": "Our Berlin merino socks are back. Warm feet all winter: come by this week!",
            "changes": ["Named the wool's origin."],
        },
    }


@dataclass
class CrewLLMServer(OpenAICompatServer):
    answers: dict[StepName, dict[str, Any] | int] = field(default_factory=good_answers)
    delay_s: float = 0.0
    hang_s: dict[StepName, float] = field(default_factory=dict)
    # (step, start, end) per request, monotonic seconds: what ran when.
    calls: list[tuple[StepName, float, float]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def steps_called(self) -> list[StepName]:
        return [step for step, _, _ in self.calls]

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.requests.append(payload)
        started = time.monotonic()
        step = _step_of(payload)
        await asyncio.sleep(self.delay_s + self.hang_s.get(step, 0.0))
        answer = self.answers[step]
        self.calls.append((step, started, time.monotonic()))
        return crew_response(payload, answer, next(self._ids))


def _step_of(payload: dict[str, Any]) -> StepName:
    step = crew_step(payload)
    if step is None:
        raise AssertionError(f"CrewLLMServer: not a crew prompt: {payload['messages'][:1]!r}")
    return step


def crew_step(payload: dict[str, Any]) -> StepName | None:
    """The crew step a chat request is for, by the role its system message opens with;
    None for any other call (a feature's own, e.g. suggest_post)."""
    system = next((m["content"] for m in payload["messages"] if m["role"] == "system"), "")
    return next((step for opening, step in ROLES.items() if system.startswith(opening)), None)


def crew_response(
    payload: dict[str, Any], answer: dict[str, Any] | int, number: int
) -> web.Response:
    """A scripted crew answer as HTTP: an int is that status with an OpenAI error, a dict
    the completion carrying it as JSON."""
    if isinstance(answer, int):
        return web.json_response(error_body(f"scripted {answer}"), status=answer)
    return web.json_response(completion(payload, json.dumps(answer), number))


def completion(payload: dict[str, Any], content: str, number: int) -> dict[str, Any]:
    """An OpenAI chat completion answering `content`, 100 tokens in and 50 out (what the
    crew's cost lines in tests are computed from)."""
    return openai_compat.completion(
        payload, content, (100, 50), completion_id=f"chatcmpl-crew-{number}"
    )

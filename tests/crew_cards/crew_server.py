"""FakeLLMServer that also plays the review crew: the feature's own call (suggest_post,
regenerate_post, ...) comes from the scripted queue as usual; a crew step is answered by
the role its system message names (tests.doubles.crew_llm), since brand, compliance and
design ask at once and a queue can't say which answer is whose. Each step waits its own
delay, so a card's progress shows steps finishing one by one."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from domain.crew import StepName
from tests.doubles.crew_llm import crew_response, crew_step, good_answers
from tests.doubles.llm_server import FakeLLMServer

# Brand first, design next, compliance last: "✅ Brand · ⏳ Compliance" is on screen a while.
DELAYS: dict[StepName, float] = {
    StepName.BRAND: 0.2,
    StepName.DESIGN: 0.8,
    StepName.COMPLIANCE: 1.4,
    StepName.OPTIMIZER: 0.4,
}


class CrewAwareLLMServer(FakeLLMServer):
    def __init__(self) -> None:
        super().__init__()
        self.crew_answers: dict[StepName, dict[str, Any] | int] = good_answers()
        self.crew_steps: list[StepName] = []

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()  # aiohttp keeps the body: the queue can read it again
        step = crew_step(payload)
        if step is None:
            return await super()._handle(request)
        self.crew_steps.append(step)
        await asyncio.sleep(DELAYS.get(step, 0.0))
        return crew_response(payload, self.crew_answers[step], len(self.crew_steps))

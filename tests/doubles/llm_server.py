"""A scripted OpenAI-compatible chat completions server on loopback.

The gateway talks to it through the real litellm code path (`model="openai/<name>"`,
`api_base=server.url`), so what is tested is what runs against a real provider.
Each request takes the next scripted step from a queue; an empty queue answers a 500
that says so, which makes a missing `reply()` in a test obvious.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.doubles.openai_compat import OpenAICompatServer, completion, error_body


@dataclass(frozen=True)
class _Reply:
    content: str
    prompt_tokens: int | None
    completion_tokens: int
    delay_s: float = 0.0


@dataclass(frozen=True)
class _Failure:
    status: int
    body: Any


@dataclass(frozen=True)
class _Hang:
    seconds: float


_Step = _Reply | _Failure | _Hang


class FakeLLMServer(OpenAICompatServer):
    PATHS = ("/v1/chat/completions", "/chat/completions")

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        # Set on every request, so a test can wait for a call to be in flight.
        self.request_seen = asyncio.Event()
        self._steps: deque[_Step] = deque()
        self._ids = itertools.count(1)

    # -- scripting -------------------------------------------------------------------

    def reply(
        self,
        content: str | dict[str, Any],
        *,
        prompt_tokens: int | None = 10,
        completion_tokens: int = 5,
        delay_s: float = 0.0,
    ) -> None:
        """Queue an answer; `prompt_tokens=None` leaves `usage` out, as some servers do.

        `delay_s` makes a slow but successful model.
        """
        text = json.dumps(content) if isinstance(content, dict) else content
        self._steps.append(_Reply(text, prompt_tokens, completion_tokens, delay_s))

    def fail(self, status: int, body: Any = None, *, times: int = 1) -> None:
        body = body if body is not None else error_body(f"scripted failure {status}")
        self._steps.extend(_Failure(status, body) for _ in range(times))

    def hang(self, seconds: float) -> None:
        self._steps.append(_Hang(seconds))

    @property
    def pending(self) -> int:
        """Scripted steps not yet consumed."""
        return len(self._steps)

    # -- handling --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.requests.append(payload)
        self.request_seen.set()
        if not self._steps:
            return web.json_response(
                error_body("FakeLLMServer: no scripted reply left in the queue"), status=500
            )
        step = self._steps.popleft()
        if isinstance(step, _Hang):
            await asyncio.sleep(step.seconds)
            return web.json_response(error_body("hung reply finally answered"), status=500)
        if isinstance(step, _Failure):
            return web.json_response(step.body, status=step.status)
        await asyncio.sleep(step.delay_s)
        usage = None if step.prompt_tokens is None else (step.prompt_tokens, step.completion_tokens)
        body = completion(payload, step.content, usage, completion_id=f"chatcmpl-{next(self._ids)}")
        return web.json_response(body)

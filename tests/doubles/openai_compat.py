"""What every OpenAI-compatible test server shares: an aiohttp app on a free loopback port
(start/stop/url) and the JSON of a chat completion and of an error.

litellm reaches a subclass through its real code path (`model="openai/<name>"`,
`api_base=server.url`). A subclass names the paths it answers (`PATHS`) and implements
`_handle`; what it answers (a queue, a role, a flow, vectors) stays its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web


class OpenAICompatServer:
    PATHS: ClassVar[tuple[str, ...]] = ("/v1/chat/completions",)
    # Class-level defaults rather than an __init__, so dataclass subclasses need no
    # __post_init__; start() sets them on the instance.
    _runner: web.AppRunner | None = None
    _port: int = 0

    @property
    def url(self) -> str:
        """The OpenAI-style base URL (ending in /v1) to pass as `api_base`."""
        return f"http://127.0.0.1:{self._port}/v1"

    async def start(self) -> None:
        app = web.Application()
        for path in self.PATHS:
            app.router.add_post(path, self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        raise NotImplementedError


def completion(
    payload: dict[str, Any],
    content: str,
    usage: tuple[int, int] | None,
    *,
    completion_id: str,
) -> dict[str, Any]:
    """A chat completion answering `content` for the model the request named; `usage` is
    (prompt tokens, completion tokens), or None to leave `usage` out as some servers do."""
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": payload.get("model", "unknown"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }
    if usage is not None:
        prompt, answer = usage
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": answer,
            "total_tokens": prompt + answer,
        }
    return body


def error_body(message: str) -> dict[str, Any]:
    """An OpenAI-style error; litellm puts `message` into the exception it raises."""
    return {"error": {"message": message, "type": "server_error", "code": None}}

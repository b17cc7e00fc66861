"""An OpenAI-compatible /v1/embeddings server on loopback, for EMBEDDING_MODEL.

litellm talks to it through its real code path (`model="openai/<name>"`, `api_base`).
Vectors are a bag of hashed words (so texts sharing words are similar), `dims` wide;
a request whose input contains a `poison` string answers 500, as a provider that chokes
on one text would.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from aiohttp import web

from tests.doubles.openai_compat import OpenAICompatServer, error_body


def bag_of_words(text: str, dims: int) -> list[float]:
    vector = [0.0] * dims
    for word in text.lower().split():
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


class FakeEmbeddingServer(OpenAICompatServer):
    PATHS = ("/v1/embeddings",)

    def __init__(self, *, dims: int = 16) -> None:
        self.dims = dims
        self.requests: list[dict[str, Any]] = []
        self.poison: str | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.requests.append(payload)
        texts = payload["input"] if isinstance(payload["input"], list) else [payload["input"]]
        if self.poison is not None and any(self.poison in text for text in texts):
            return web.json_response(error_body("cannot embed this input"), status=500)
        data = [
            {"object": "embedding", "index": i, "embedding": bag_of_words(text, self.dims)}
            for i, text in enumerate(texts)
        ]
        tokens = sum(len(text.split()) for text in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        body = {"object": "list", "data": data, "model": payload["model"], "usage": usage}
        return web.json_response(body)

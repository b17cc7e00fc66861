"""`run_bot.py check` says whether semantic memory works: the model embeds a text, or it
is off (MEMORY_ENABLED=false), or it fails with the reason and the fix."""

from __future__ import annotations

from types import SimpleNamespace

from bot.check import FAILED, OFF, OK, _bounded, _memory
from core.config import MemorySettings
from tests.doubles.embeddings_server import FakeEmbeddingServer


async def test_the_bundled_model_is_checked_by_embedding_a_text() -> None:
    result = await _memory(SimpleNamespace(memory=MemorySettings(_env_file=None)))  # type: ignore[arg-type]
    assert result is not None and result.mark == OK
    assert result.detail == "bundled/all-MiniLM-L6-v2, 384-d vectors"


async def test_off_and_a_dead_embedding_server() -> None:
    off = MemorySettings(_env_file=None, enabled=False)
    result = await _memory(SimpleNamespace(memory=off))  # type: ignore[arg-type]
    assert result is not None and (result.mark, result.detail) == (
        OFF,
        "not configured (MEMORY_ENABLED)",
    )
    server = FakeEmbeddingServer()
    await server.start()
    url = server.url
    await server.stop()  # nothing listens there now
    dead = MemorySettings(
        _env_file=None, embedding_model="openai/e", embedding_api_base=url, embedding_api_key="k"
    )
    [line] = await _bounded("semantic memory", _memory(SimpleNamespace(memory=dead)), 10)  # type: ignore[arg-type]
    assert line.mark == FAILED and line.detail.startswith("EmbeddingError: openai/e:")

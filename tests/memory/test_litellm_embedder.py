"""EMBEDDING_MODEL: any litellm embedding model through the same service, here an
OpenAI-compatible server; a text the model refuses waits with back-off, the rest go on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import MemorySettings
from core.memory.build import build_memory, choose_embedder
from core.memory.embedder import BUNDLED_NAME, EmbeddingError, LiteLLMEmbedder
from core.memory.service import MemoryService
from domain.memory import MemoryEvent as E
from domain.memory import MemoryKind as K
from storage.db import make_session_factory
from storage.models import MemoryItem
from tests.doubles.embeddings_server import FakeEmbeddingServer, bag_of_words
from tests.memory.conftest import MovableClock


@pytest.fixture
async def server() -> AsyncIterator[FakeEmbeddingServer]:
    server = FakeEmbeddingServer(dims=16)
    await server.start()
    yield server
    await server.stop()


def _settings(server: FakeEmbeddingServer, **kw: object) -> MemorySettings:
    return MemorySettings(
        _env_file=None, embedding_model="openai/test-embed", embedding_api_base=server.url,
        embedding_api_key="sk-test", **kw,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_litellm_vectors_are_the_servers_in_order(server: FakeEmbeddingServer) -> None:
    embedder, reason = choose_embedder(_settings(server))
    assert reason is None and isinstance(embedder, LiteLLMEmbedder)
    vectors = await embedder.embed(["spring sale", "coffee at home", "spring sale now"])
    expected = np.array(
        [bag_of_words(t, 16) for t in ["spring sale", "coffee at home", "spring sale now"]]
    )
    assert np.allclose(vectors, expected, atol=1e-6)
    assert server.requests[-1]["input"] == ["spring sale", "coffee at home", "spring sale now"]
    assert server.requests[-1]["model"] == "test-embed"


async def test_a_refused_text_backs_off_and_the_others_are_embedded(
    server: FakeEmbeddingServer, engine: AsyncEngine, clock: MovableClock
) -> None:
    memory = build_memory(_settings(server), make_session_factory(engine), clock)
    assert memory.enabled
    server.poison = "POISON"
    for item_id, text in enumerate(["spring sale on sneakers", "POISON text", "coffee at home"]):
        await memory.remember(
            kind=K.POST, item_id=item_id, persona_id=None, text=text, label="p", event=E.APPROVED
        )
    assert await memory.embed_pending() == 2
    async with make_session_factory(engine)() as session:
        rows = {r.item_id: r for r in await session.scalars(select(MemoryItem))}
    assert rows[0].dims == 16 and rows[0].model == "litellm/openai/test-embed"
    failed = rows[1]
    assert (failed.dims, failed.embed_attempts) == (None, 1)
    assert failed.embed_after is not None and failed.embed_after > clock.now()
    assert "cannot embed this input" in (failed.embed_error or "")

    assert await memory.embed_pending() == 0  # backing off: not asked again yet
    calls = len(server.requests)
    clock.move(seconds=31)
    server.poison = None
    assert await memory.embed_pending() == 1
    assert len(server.requests) == calls + 1
    [match] = await memory.similar("POISON text", persona_id=None, k=1)
    assert match.item.item_id == 1 and match.similarity > 0.99


async def test_a_server_that_is_down_is_an_embedding_error() -> None:
    embedder = LiteLLMEmbedder(
        "openai/x", api_base="http://127.0.0.1:9/v1", api_key="k", timeout_s=2
    )
    with pytest.raises(EmbeddingError):
        await embedder.embed(["hello"])


def test_memory_off_says_why(engine: AsyncEngine, clock: MovableClock) -> None:
    sessions = make_session_factory(engine)
    off = build_memory(MemorySettings(_env_file=None, enabled=False), sessions, clock)
    assert (off.enabled, off.reason_off) == (False, "MEMORY_ENABLED=false")
    unset = build_memory(None, sessions, clock)
    assert (unset.enabled, unset.reason_off) == (False, "memory is not configured")
    bundled, reason = choose_embedder(MemorySettings(_env_file=None))
    assert reason is None and bundled is not None and bundled.name == BUNDLED_NAME


async def test_vectors_of_another_model_are_embedded_again(
    server: FakeEmbeddingServer, engine: AsyncEngine, clock: MovableClock, memory: MemoryService
) -> None:
    await memory.remember(
        kind=K.POST, item_id=1, persona_id=None, text="spring sale", label="p", event=E.APPROVED
    )
    assert await memory.embed_pending() == 1  # the bundled model, 384-d
    other = build_memory(_settings(server), make_session_factory(engine), clock)
    assert await other.similar("spring sale", persona_id=None) == []  # never mixed
    assert await other.embed_pending() == 1
    [match] = await other.similar("spring sale", persona_id=None)
    assert match.similarity > 0.99

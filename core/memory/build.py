"""Builds the MemoryService from its settings: which embedder, or why memory is off."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import MemorySettings
from core.memory.embedder import (
    BundledEmbedder,
    Embedder,
    LiteLLMEmbedder,
    bundled_model_folder,
    bundled_problem,
)
from core.memory.service import MemoryService

EMBEDDING_TIMEOUT_S = 30.0


def choose_embedder(settings: MemorySettings) -> tuple[Embedder | None, str | None]:
    """(the embedder, None), or (None, why memory is off)."""
    if not settings.enabled:
        return None, "MEMORY_ENABLED=false"
    if settings.embedding_model:
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        embedder = LiteLLMEmbedder(
            settings.embedding_model, api_base=settings.embedding_api_base, api_key=key,
            timeout_s=EMBEDDING_TIMEOUT_S,
        )  # fmt: skip
        return embedder, None
    problem = bundled_problem()
    folder = bundled_model_folder()
    if problem is not None or folder is None:
        return None, problem or "the bundled embedding model is missing"
    return BundledEmbedder(folder), None


def build_memory(
    settings: MemorySettings | None, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> MemoryService:
    """Settings None (a test's hand-built Settings): memory is off."""
    if settings is None:
        return MemoryService(sessions, clock, None, reason_off="memory is not configured")
    embedder, reason_off = choose_embedder(settings)
    return MemoryService(
        sessions, clock, embedder, reason_off=reason_off,
        window_days=settings.window_days, near_repeat=settings.near_repeat,
    )  # fmt: skip

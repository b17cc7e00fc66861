"""all-MiniLM-L6-v2 in plain numpy: a 6-layer BERT encoder, mean pooling, L2 normalised.

Why numpy: the weights ship as model.safetensors and every maintained runtime that reads
them directly needs torch (ONNX Runtime wants an ONNX export, model2vec a distillation).
A BERT forward pass is a dozen matrix products, so numpy serves it with nothing new to
install. The weights are memory-mapped views of the file (no copies), so only the pages a
text touches become resident. It matches sentence-transformers to cosine ≥ 0.9999
(tests/memory/test_reference_vectors.py).

Blocking and CPU-bound: callers run `embed` in a worker thread.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length (tokenizer.json says 128)
BATCH = 32

_DTYPES = {"F32": np.float32, "I64": np.int64}


class ModelError(Exception):
    """The model folder is missing or not the model we expect."""


def load_safetensors(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Read-only views of every tensor in the file, backed by one memory map."""
    with path.open("rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header: dict[str, Any] = json.loads(f.read(header_len))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_len)
    tensors: dict[str, npt.NDArray[Any]] = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(spec["dtype"])
        if dtype is None:
            raise ModelError(f"{path.name}: tensor {name} has unsupported dtype {spec['dtype']}")
        start, end = spec["data_offsets"]
        tensors[name] = data[start:end].view(dtype).reshape(spec["shape"])
    return tensors


@dataclass(frozen=True)
class _Config:
    layers: int
    heads: int
    hidden: int
    eps: float

    @classmethod
    def read(cls, folder: Path) -> _Config:
        cfg = json.loads((folder / "config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu":
            raise ModelError("config.json: not a BERT encoder with exact GELU")
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ModelError("1_Pooling/config.json: not mean pooling")
        return cls(
            layers=int(cfg["num_hidden_layers"]),
            heads=int(cfg["num_attention_heads"]),
            hidden=int(cfg["hidden_size"]),
            eps=float(cfg["layer_norm_eps"]),
        )


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: F32 = ((x - mean) / np.sqrt(var + eps)) * weight + bias
    return out


def _erf(x: F32) -> F32:
    """Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7, below float32's resolution here):
    numpy has no erf and BERT's GELU is the exact, erf-based one. In place where it can be:
    the (tokens x 1536) temporaries are most of its cost."""
    a = np.abs(x)
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    poly = np.float32(1.061405429) * t
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.multiply(a, a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(np.float32(1.0), poly, out=poly)
    result: F32 = np.copysign(poly, x)
    return result


def _gelu(x: F32) -> F32:
    inner = _erf(x * np.float32(1.0 / math.sqrt(2.0)))
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.5)
    return inner


def _dense(x: F32, weights: dict[str, npt.NDArray[Any]], name: str) -> F32:
    # torch Linear stores (out, in); .T is a view, no copy of the mapped weights. Flattened
    # to 2-D, the product is one BLAS call (3-D operands loop per text, ~3x slower).
    weight = weights[f"{name}.weight"]
    flat = x.reshape(-1, x.shape[-1]) @ weight.T + weights[f"{name}.bias"]
    out: F32 = flat.reshape(*x.shape[:-1], weight.shape[0])
    return out


class MiniLM:
    """The bundled sentence encoder. `embed` is synchronous and thread-safe."""

    def __init__(self, folder: Path) -> None:
        for name in ("config.json", "tokenizer.json", "model.safetensors", "1_Pooling/config.json"):
            if not (folder / name).is_file():
                raise ModelError(f"{folder}: {name} is missing")
        self._cfg = _Config.read(folder)
        self._w = load_safetensors(folder / "model.safetensors")
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()  # we pad per length-sorted batch ourselves
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.dims = self._cfg.hidden

    def embed(self, texts: list[str]) -> F32:
        """(len(texts), dims) unit vectors, in the order given."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        ids = [enc.ids for enc in self._tokenizer.encode_batch(texts)]
        # Length-sorted batches pad little; the result is the same (padding is masked out).
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._embed_batch([ids[i] for i in chunk])
        return out

    def _embed_batch(self, batch: list[list[int]]) -> F32:
        length = max(len(row) for row in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        hidden = self._encode(ids, mask)
        summed = (hidden * mask[:, :, None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        result: F32 = (pooled / norms).astype(np.float32)
        return result

    def _encode(self, ids: I64, mask: F32) -> F32:
        w, eps = self._w, self._cfg.eps
        length = ids.shape[1]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        # Padded keys get a huge negative score, so softmax gives them 0 (transformers uses the
        # most negative float; that overflows to -inf when the row max is subtracted).
        bias = ((1.0 - mask) * np.float32(-1e30))[:, None, None, :].astype(np.float32)
        for n in range(self._cfg.layers):
            x = self._layer(x, bias, f"encoder.layer.{n}")
        return x

    def _layer(self, x: F32, bias: F32, p: str) -> F32:
        w, eps = self._w, self._cfg.eps
        attended = _dense(self._attention(x, bias, p), w, f"{p}.attention.output.dense")
        x = _layer_norm(
            attended + x, w[f"{p}.attention.output.LayerNorm.weight"],
            w[f"{p}.attention.output.LayerNorm.bias"], eps,
        )  # fmt: skip
        inner = _gelu(_dense(x, w, f"{p}.intermediate.dense"))
        out = _dense(inner, w, f"{p}.output.dense")
        return _layer_norm(
            out + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], eps
        )

    def _attention(self, x: F32, bias: F32, p: str) -> F32:
        batch, length, hidden = x.shape
        heads = self._cfg.heads
        size = hidden // heads

        def split(name: str) -> F32:
            projected = _dense(x, self._w, f"{p}.attention.self.{name}")
            return projected.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        q, k, v = split("query"), split("key"), split("value")
        scores = (q @ k.transpose(0, 1, 3, 2)) / np.float32(math.sqrt(size)) + bias
        scores = scores - scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(-1, keepdims=True)
        context: F32 = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        return context

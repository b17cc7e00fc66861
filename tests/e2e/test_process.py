"""run_bot.py as a process: SIGTERM lets in-flight work finish, flushes state, exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sqlalchemy import select

from storage.db import make_engine, make_session_factory
from storage.models import Suggestion
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, free_port

ROOT = Path(__file__).resolve().parents[2]


def _env(api: TelegramApiDouble, llm: FakeLLMServer, db_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLM_"))}
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_FILE_BASE_URL": api.file_base_url,
        "ADMIN_USER_IDS": str(ADMIN),
        "DATABASE_URL": db_url,
        "WEB_PORT": str(free_port()),
        "LLM_MODEL": "openai/test-model",
        "LLM_API_BASE": llm.url,
        "LLM_API_KEY": "sk-test",
        "LLM_PRICE_INPUT_PER_MTOK": "1",
        "LLM_PRICE_OUTPUT_PER_MTOK": "2",
    }


async def test_sigterm_finishes_the_suggestion_in_flight_and_exits_0(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    llm_server.reply(suggestion_answer(), delay_s=1.5)
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run_bot.py"), cwd=tmp_path,
        env=_env(telegram_api, llm_server, db_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await telegram_api.wait_for("getUpdates", timeout=30)
        telegram_api.push_update(telegram_api.make_message_update(ADMIN, ADMIN, "/suggest"))
        await asyncio.wait_for(llm_server.request_seen.wait(), 30)
        process.send_signal(signal.SIGTERM)  # while the model is still answering
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()[-3000:]
    card = await telegram_api.wait_for(
        "editMessageText", lambda c: "Suggestion #1" in str(c.params.get("text")), timeout=1
    )
    assert card.ok
    engine = make_engine(db_url)
    try:
        async with make_session_factory(engine)() as session:
            assert (await session.execute(select(Suggestion))).scalar_one().status == "pending"
    finally:
        await engine.dispose()
    assert b'"msg": "stopped"' in output


async def _run_once(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run_bot.py"), cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, errors.decode()


async def test_telegram_unreachable_at_start_is_one_clear_line(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    env = _env(telegram_api, llm_server, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}/bot"  # nobody listens
    code, errors = await _run_once(env, tmp_path)
    assert code == 1
    assert "can't reach the Telegram Bot API at http://127.0.0.1:" in errors
    assert "Traceback" not in errors
    # The Bot API's HTTP sessions were opened before getMe failed; they are closed.
    assert "Unclosed" not in errors


async def test_a_token_telegram_refuses_is_a_configuration_error(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    telegram_api.fail_next("getMe", error_code=401, description="Unauthorized")
    env = _env(telegram_api, llm_server, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    code, errors = await _run_once(env, tmp_path)
    assert code == 2
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in errors and "Traceback" not in errors

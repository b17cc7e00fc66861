"""Settings: a missing or bad value is one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"TELEGRAM_BOT_TOKEN": "123:abc", "ADMIN_USER_IDS": "1, 2"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "LLM_", "SMTP_", "COMFYUI_", "WEB_", "BOT_", "ADMIN_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def test_defaults_follow_interfaces(clean_env: pytest.MonkeyPatch) -> None:
    for key, value in GOOD.items():
        clean_env.setenv(key, value)
    settings = load_settings()
    assert settings.access.admin_user_ids == frozenset({1, 2})
    assert settings.telegram.api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram.file_base_url == "https://api.telegram.org/file/bot"
    assert settings.mode.bot_mode == "polling"
    assert (settings.web.host, settings.web.port) == ("127.0.0.1", 8080)
    assert settings.database.database_url == "sqlite+aiosqlite:///./data/copilot.db"
    assert settings.llm.timeout_s == 60
    assert str(settings.llm.daily_budget_usd) == "10"
    assert settings.app.timezone == "UTC"


def test_dotenv_is_read(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=9:x\nADMIN_USER_IDS=7\nLLM_FALLBACK_MODELS=a, b\n"
    )
    settings = load_settings()
    assert settings.access.admin_user_ids == frozenset({7})
    assert settings.llm.fallback_models == ["a", "b"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADMIN_USER_IDS": "1"}, "TELEGRAM_BOT_TOKEN is required but not set"),
        ({"TELEGRAM_BOT_TOKEN": "1:a"}, "ADMIN_USER_IDS is required but not set"),
        ({**GOOD, "ADMIN_USER_IDS": "1,x"}, "ADMIN_USER_IDS is invalid"),
        ({**GOOD, "BOT_MODE": "carrier-pigeon"}, "BOT_MODE is invalid"),
        ({**GOOD, "BOT_MODE": "webhook"}, "WEBHOOK_URL is required when BOT_MODE=webhook"),
        (
            {**GOOD, "BOT_MODE": "webhook", "WEBHOOK_URL": "https://x.example/telegram/webhook"},
            "TELEGRAM_WEBHOOK_SECRET is required when BOT_MODE=webhook",
        ),
        ({**GOOD, "WEB_PORT": "99999"}, "WEB_PORT is invalid"),
        ({**GOOD, "DATABASE_URL": "mysql://x"}, "DATABASE_URL is invalid"),
        ({**GOOD, "TIMEZONE": "Mars/Olympus"}, "TIMEZONE is invalid"),
        ({**GOOD, "LLM_TIMEOUT_S": "-1"}, "LLM_TIMEOUT_S is invalid"),
        ({**GOOD, "PIPELINE_WEBHOOK_SECRET": "nope"}, "PIPELINE_WEBHOOK_SECRET is invalid"),
        ({**GOOD, "SMTP_HOST": "mail"}, "EMAIL_FROM is required when SMTP_HOST is set"),
    ],
)
def test_bad_settings_name_the_variable(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        clean_env.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_run_bot_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "campaign-copilot: configuration error: TELEGRAM_BOT_TOKEN is required but not set"
    ]

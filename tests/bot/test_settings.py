"""Settings: a missing or bad value is one plain line naming the variable, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_origin

import annotated_types
import pytest
from pydantic import AnyHttpUrl, SecretStr
from pydantic.fields import FieldInfo

from bot.config_messages import _without_none
from bot.settings import GROUPS, ConfigError, load_settings
from core.config import env_name

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"TELEGRAM_BOT_TOKEN": "123:abc", "ADMIN_USER_IDS": "1, 2"}
PREFIXES = ("TELEGRAM_", "LLM_", "SMTP_", "COMFYUI_", "WEB_", "BOT_", "ADMIN_", "PUBLISH_", "API_")
NAMES = ("DATABASE_URL", "TIMEZONE", "WEBHOOK_URL", "EMAIL_FROM", "DATA_DIR")
PIPELINE_WEBHOOK_SECRET = "PIPELINE_WEBHOOK_SECRET"
# Words of the library, not of the person reading the line.
JARGON = ("validation", "Input should", "Frozenset", "type=", "Value error", "pydantic",
          "Field required", "For further information", "model_type", "{")  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(PREFIXES) or name in NAMES or name == PIPELINE_WEBHOOK_SECRET:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def _problem(clean_env: pytest.MonkeyPatch, env: dict[str, str]) -> str:
    for key, value in env.items():
        clean_env.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    return str(caught.value)


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
    assert settings.app.data_dir == Path("./data")
    assert settings.api is not None and settings.api.rate_limit_per_minute == 60


def test_dotenv_is_read(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=9:x\nADMIN_USER_IDS=7\nLLM_FALLBACK_MODELS=a, b\nDATA_DIR=/srv/c\n"
    )
    settings = load_settings()
    assert settings.access.admin_user_ids == frozenset({7})
    assert settings.llm.fallback_models == ["a", "b"]
    assert settings.app.data_dir == Path("/srv/c")


def test_an_empty_value_counts_as_unset(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # What a copied .env.example, or compose's env_file, leaves behind.
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=9:x\nADMIN_USER_IDS=7\nWEB_PORT=\nLLM_MODEL=\nSMTP_STARTTLS=\n"
    )
    settings = load_settings()
    assert (settings.web.port, settings.llm.model, settings.smtp.starttls) == (8080, None, True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADMIN_USER_IDS": "1"},
         "TELEGRAM_BOT_TOKEN is required but not set: get one from @BotFather (/newbot)"),
        ({"TELEGRAM_BOT_TOKEN": "1:a"}, "ADMIN_USER_IDS: give at least one Telegram user id, "
                                        "comma-separated (find yours with @userinfobot)"),
        ({**GOOD, "ADMIN_USER_IDS": " , "}, "ADMIN_USER_IDS: give at least one Telegram user "
                                            "id, comma-separated (find yours with @userinfobot)"),
        ({**GOOD, "ADMIN_USER_IDS": "1,@me"},
         "ADMIN_USER_IDS: '@me' is not a Telegram user id (a number); give at least one "
         "Telegram user id, comma-separated (find yours with @userinfobot)"),
        ({**GOOD, "LLM_CACHE_TTL_S": "-1"},
         "LLM_CACHE_TTL_S must be a whole number of at least 0 (got '-1')"),
        ({**GOOD, "BOT_MODE": "carrier-pigeon"},
         "BOT_MODE must be polling or webhook (got 'carrier-pigeon')"),
        ({**GOOD, "BOT_MODE": "webhook"}, "WEBHOOK_URL is required when BOT_MODE=webhook"),
        (
            {**GOOD, "BOT_MODE": "webhook", "WEBHOOK_URL": "https://x.example/telegram/webhook"},
            "TELEGRAM_WEBHOOK_SECRET is required when BOT_MODE=webhook",
        ),
        ({**GOOD, "WEBHOOK_URL": "bot.example.com"},
         "WEBHOOK_URL must be an http:// or https:// URL (got 'bot.example.com')"),
        ({**GOOD, "WEB_PORT": "99999"},
         "WEB_PORT must be a whole number from 0 to 65535 (got '99999')"),
        ({**GOOD, "LLM_TIMEOUT_S": "0"},
         "LLM_TIMEOUT_S must be a number above 0 and at most 600 (got '0')"),
        ({**GOOD, "SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS must be true or false (got 'maybe')"),
        ({**GOOD, "DATABASE_URL": "mysql://x"},
         "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ({**GOOD, "DATABASE_URL": "sqlite+aiosqlite://"},
         "DATABASE_URL names no SQLite file: write sqlite+aiosqlite:///./data/copilot.db "
         "(three slashes, then the path)"),
        ({**GOOD, "DATABASE_URL": "postgresql+asyncpg://"},
         "DATABASE_URL names no database: write "
         "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"),
        ({**GOOD, "DATABASE_URL": "postgresql+asyncpg://u:secret@db:port/x"},
         "DATABASE_URL is not a database URL; for example "
         "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"),
        ({**GOOD, "TIMEZONE": "Mars/Olympus"},
         "TIMEZONE 'Mars/Olympus' is not an IANA time zone; write one like Europe/Berlin or UTC"),
        ({**GOOD, "PIPELINE_WEBHOOK_SECRET": "nope"},
         "PIPELINE_WEBHOOK_SECRET must start with whsec_"),
        ({**GOOD, "SMTP_HOST": "mail"}, "EMAIL_FROM is required when SMTP_HOST is set"),
        ({**GOOD, "API_RATE_LIMIT_PER_MINUTE": "0"},
         "API_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 100000 (got '0')"),
    ],
)  # fmt: skip
def test_bad_settings_name_the_variable(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    assert _problem(clean_env, env) == message


def _bad_values(info: FieldInfo) -> list[str]:
    """Values that break a field's type or its bounds; none for a plain text field."""
    kind = _without_none(info.annotation)
    if get_origin(kind) is Literal:
        return ["nope"]
    if get_origin(kind) is frozenset:
        return ["1,x", ","]
    by_kind = {bool: ["maybe"], AnyHttpUrl: ["no-scheme.example", "ftp://x.example"]}
    if kind in (int, float) or kind.__name__ == "Decimal":
        return ["x", *(["1.5"] if kind is int else []), *_outside(info.metadata)]
    return by_kind.get(kind, [])


def _outside(metadata: list[Any]) -> list[str]:
    """Just past each bound: below a minimum, above a maximum (a strict bound itself)."""
    values = []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            values.append(str(Decimal(str(item.ge)) - 1))
        elif isinstance(item, annotated_types.Gt):
            values.append(str(item.gt))
        elif isinstance(item, annotated_types.Le):
            values.append(str(Decimal(str(item.le)) + 1))
        elif isinstance(item, annotated_types.Lt):
            values.append(str(item.lt))
    return values


SECRET = "whsec-is-missing-so-this-is-wrong"
# Fields whose constraint is a validator of ours, not their type.
VALIDATED = [
    ("TELEGRAM_BOT_TOKEN", "   "),
    ("DATABASE_URL", "sqlite://x.db"),
    ("DATABASE_URL", "postgresql+asyncpg://h"),
    ("TIMEZONE", "Berlin"),
    ("PIPELINE_WEBHOOK_SECRET", SECRET),
    ("PUBLISH_WEBHOOK_SECRET", SECRET),
]
CASES = [
    (env_name(group, field), value)
    for group in GROUPS.values()
    for field, info in group.model_fields.items()
    for value in _bad_values(info)
] + VALIDATED


def test_every_constrained_setting_has_a_bad_value_case() -> None:
    covered = {name for name, _ in CASES}
    for group in GROUPS.values():
        for field, info in group.model_fields.items():
            kind = _without_none(info.annotation)
            if kind not in (str, SecretStr) and kind.__name__ not in ("Path", "list"):
                assert env_name(group, field) in covered, field
    assert len(CASES) > 80


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v}" for n, v in CASES])
def test_every_bad_value_is_one_plain_line_naming_the_variable(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    extra = {"PUBLISH_WEBHOOK_URL": "https://hook.example"} if "PUBLISH_WEBHOOK" in name else {}
    line = _problem(clean_env, {**GOOD, **extra, name: value})
    assert line.startswith(name), line
    assert "\n" not in line
    assert not [word for word in JARGON if word.lower() in line.lower()], line
    assert SECRET not in line  # a secret's value is never repeated back
    assert len(line) < 200, line


def test_run_bot_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "campaign-copilot: configuration error: TELEGRAM_BOT_TOKEN is required but not set: "
        "get one from @BotFather (/newbot)"
    ]

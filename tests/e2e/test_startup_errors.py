"""`python run_bot.py` with a bad setting, as a person runs it: one line on stderr that names
the variable, no traceback, nothing left unclosed; exit code 2 for a value to fix, 1 for a
server that does not answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import free_port

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "campaign-copilot: "


def _env(**settings: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LITELLM_LOCAL_MODEL_COST_MAP")}
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",  # never reached
        "ADMIN_USER_IDS": "1001",
        "WEB_PORT": str(free_port()),
        **settings,
    }


def _run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return result.returncode, result.stdout, result.stderr


def _the_line(errors: str) -> str:
    """The one line for people; JSON log records (none before these failures) aside."""
    assert "Traceback" not in errors and "Unclosed" not in errors, errors
    lines = [line for line in errors.splitlines() if not line.startswith("{")]
    assert len(lines) == 1, errors
    return lines[0].removeprefix(PREFIX)


@pytest.mark.parametrize(
    ("setting", "line"),
    [
        ({"ADMIN_USER_IDS": ","},
         "configuration error: ADMIN_USER_IDS: give at least one Telegram user id, "
         "comma-separated (find yours with @userinfobot)"),
        ({"DATABASE_URL": "sqlite+aiosqlite://"},
         "configuration error: DATABASE_URL names no SQLite file: write "
         "sqlite+aiosqlite:///./data/copilot.db (three slashes, then the path)"),
        ({"DATABASE_URL": "postgresql+asyncpg://"},
         "configuration error: DATABASE_URL names no database: write "
         "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"),
    ],
)  # fmt: skip
def test_a_bad_value_is_one_line_and_exit_code_2(
    tmp_path: Path, setting: dict[str, str], line: str
) -> None:
    code, _, errors = _run([], _env(**setting), tmp_path)
    assert (code, _the_line(errors)) == (2, line)


def test_a_database_server_that_does_not_answer_is_exit_code_1(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql+asyncpg://copilot:s3cret-pw@127.0.0.1:{port}/copilot"
    code, _, errors = _run([], _env(DATABASE_URL=url), tmp_path)
    assert code == 1
    assert _the_line(errors) == (
        f"can't reach PostgreSQL at 127.0.0.1:{port}, database 'copilot' (DATABASE_URL): "
        "connection refused: is the server running there?"
    )
    assert "s3cret-pw" not in errors


def test_a_database_the_server_does_not_have_is_exit_code_2(
    tmp_path: Path, pg_session_url: str
) -> None:
    server = pg_session_url.rsplit("/", 1)[0]
    code, _, errors = _run([], _env(DATABASE_URL=f"{server}/no_such_db"), tmp_path)
    assert code == 2
    line = _the_line(errors)
    assert line.startswith("configuration error: DATABASE_URL: PostgreSQL at ")
    assert line.endswith("has no database 'no_such_db': create it (createdb no_such_db) or "
                         "name one that exists")  # fmt: skip


def test_a_web_port_in_use_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, errors = _run([], _env(WEB_PORT=str(port)), tmp_path)
    assert code == 2
    assert _the_line(errors).startswith(
        f"configuration error: WEB_HOST/WEB_PORT: can't listen on 127.0.0.1:{port}: "
    )


def test_help_prints_usage_and_starts_nothing(tmp_path: Path) -> None:
    code, out, errors = _run(["--help"], {"PATH": os.environ.get("PATH", "")}, tmp_path)
    assert (code, errors) == (0, "")
    assert out.startswith("usage: python run_bot.py [-h] [{run,check}]")
    assert "check" in out and "Exit codes" in out
    assert list(tmp_path.iterdir()) == []  # no database, no data directory
    code, out, errors = _run(["--verbose"], {"PATH": os.environ.get("PATH", "")}, tmp_path)
    assert code == 2 and out == ""
    assert errors.splitlines()[0].startswith("usage: python run_bot.py")

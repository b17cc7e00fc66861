"""`python -m bot.mcp` as a person starts it: --help answers, a database it can't reach is
one line and exit code 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.harness import free_port

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.mcp", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False, stdin=subprocess.DEVNULL,
        env={"PATH": os.environ.get("PATH", ""), **env},
    )  # fmt: skip


def test_help_prints_usage_and_touches_no_database(tmp_path: Path) -> None:
    database = tmp_path / "mcp.db"
    result = _run("--help", env={"DATABASE_URL": f"sqlite+aiosqlite:///{database}"})
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m bot.mcp")
    assert "DATABASE_URL" in result.stdout
    assert not database.exists()  # nothing was migrated


def test_an_unreachable_database_is_one_line_and_exit_code_1() -> None:
    port = free_port()  # nobody listens there
    result = _run(env={"DATABASE_URL": f"postgresql+asyncpg://copilot@127.0.0.1:{port}/copilot"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert lines == [
        f"campaign-copilot mcp: can't reach PostgreSQL at 127.0.0.1:{port}, database "
        "'copilot' (DATABASE_URL): "
        "connection refused: is the server running there?"
    ]
    assert "Traceback" not in result.stderr

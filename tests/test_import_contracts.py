"""The import-linter contracts in pyproject.toml hold, and an upward import breaks them.

scripts/test.sh runs `lint-imports` on the tree; these tests run the same contracts on a
small tree of the five packages with one planted import each, so a contract that stopped
catching anything (a renamed package, a layer dropped) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("bot", "handlers", "core", "storage", "domain")
FEATURES = ("start", "suggest", "review", "images", "persona", "campaign", "schedule")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _tree(tmp_path: Path, planted: dict[str, str]) -> Path:
    """bot -> handlers -> core -> storage -> domain, each importing the next, plus `planted`."""
    for upper, lower in zip(PACKAGES, [*PACKAGES[1:], None], strict=True):
        (tmp_path / upper).mkdir()
        (tmp_path / upper / "__init__.py").write_text("")
        (tmp_path / upper / "down.py").write_text(f"import {lower}\n" if lower else "")
    for package in ("bot/adapters", *(f"handlers/{f}" for f in FEATURES)):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for module, source in planted.items():
        (tmp_path / module.replace(".", "/")).with_suffix(".py").write_text(source)
    return tmp_path


def test_the_tree_keeps_every_contract() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_tree_importing_only_downwards_keeps_them(tmp_path: Path) -> None:
    done = _lint(_tree(tmp_path, {}))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        ("handlers.up", "import bot\n", "Layers"),
        ("core.up", "from handlers import down\n", "Layers"),
        ("storage.up", "import core.down\n", "Layers"),
        ("domain.up", "import storage.down\n", "Layers"),
        ("domain.db", "import sqlalchemy\n", "stands alone"),
        ("core.web", "import aiohttp\n", "know nothing of Telegram"),
        ("storage.tg", "from telegram import Bot\n", "know nothing of Telegram"),
        ("bot.adapters.up", "from handlers.images import views\n", "Adapters import no"),
    ],
)
def test_a_planted_upward_import_breaks_a_contract(
    tmp_path: Path, module: str, source: str, broken: str
) -> None:
    done = _lint(_tree(tmp_path, {module: source}))
    assert done.returncode == 1, done.stdout + done.stderr
    verdicts = [line for line in done.stdout.splitlines() if line.endswith(("KEPT", "BROKEN"))]
    assert [line for line in verdicts if line.endswith("BROKEN")] == [
        next(line for line in verdicts if broken in line)
    ], done.stdout
    assert "1 broken" in done.stdout

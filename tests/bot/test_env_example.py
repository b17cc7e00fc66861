""".env.example is generated from the settings classes and agrees with them: every variable,
its description, and defaults that are the real ones."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.env_example import PATH, render
from bot.settings import GROUPS, load_settings
from core.config import env_name

ROOT = Path(__file__).resolve().parents[2]
NAMES = [env_name(group, field) for group in GROUPS.values() for field in group.model_fields]


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_file_is_what_the_settings_generate() -> None:
    assert PATH == ROOT / ".env.example"
    assert PATH.read_text(encoding="utf-8") == render(), "run: python -m bot.env_example"


def test_every_variable_is_there_once_with_a_description() -> None:
    text = PATH.read_text(encoding="utf-8")
    for name in NAMES:
        found = re.findall(rf"^(?:# )?{name}=.*$", text, flags=re.MULTILINE)
        assert len(found) == 1, name
        before = text[: text.index(found[0])].rstrip().splitlines()[-1]
        assert before.startswith("# ") and "=" not in before.split()[1], name  # a comment
    assert len(NAMES) >= 53 and "DATA_DIR" in NAMES


def test_the_defaults_it_shows_are_the_defaults(no_env: Path) -> None:
    # Uncomment every "# NAME=value" line: the settings must come out as if it was left alone.
    filled = PATH.read_text().replace("TELEGRAM_BOT_TOKEN=\n", "TELEGRAM_BOT_TOKEN=1:a\n")
    filled = filled.replace("ADMIN_USER_IDS=\n", "ADMIN_USER_IDS=7\n")
    (no_env / "as_shipped.env").write_text(filled)
    uncommented = re.sub(r"^# ([A-Z0-9_]+=)", r"\1", filled, flags=re.MULTILINE)
    (no_env / "uncommented.env").write_text(uncommented)
    assert load_settings("uncommented.env") == load_settings("as_shipped.env")
    assert load_settings("as_shipped.env").app.data_dir == Path("data")


def test_the_readme_documents_every_variable() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    configure = readme[readme.index("## Configure it") :]
    missing = [name for name in NAMES if f"`{name}`" not in configure]
    assert missing == []


def test_writing_it_again_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / ".env.example"
    monkeypatch.setattr("bot.env_example.PATH", target)
    from bot.env_example import main

    assert main() == 0
    assert target.read_text() == PATH.read_text()
    assert os.path.getsize(target) > 5000

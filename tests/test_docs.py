"""The user docs hold together: links lead somewhere, every command is documented, and
nothing points at files outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers.start.command import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "tests/data/README.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
# Only the recorded-data check and its notes may name the shared folder they compare with.
MAY_NAME_SHARED = {
    "tests/test_recorded_data.py",
    "tests/data/__init__.py",
    "tests/data/README.md",
    "tests/test_docs.py",
}
SOURCES = (
    "bot", "core", "domain", "handlers", "storage", "tests", "bench", "scripts", "docs", "prompts",
)  # fmt: skip


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


def links(path: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", path.read_text()))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(doc: Path) -> None:
    broken = []
    for link in links(doc):
        if re.match(r"[a-z]+:", link):
            continue  # https:, mailto: — not ours to check offline
        name, _, anchor = link.partition("#")
        target = (doc.parent / name).resolve() if name else doc
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{link}: no heading with that anchor in {target.name}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_slug_is_the_one_github_makes() -> None:
    assert slug("`/start`, `/help`") == "start-help"
    assert slug("`POST /api/personas`") == "post-apipersonas"
    assert slug("Pipeline callbacks") == "pipeline-callbacks"


@pytest.mark.parametrize("command", [name for name, _ in COMMANDS])
def test_every_command_has_a_section_linked_from_the_readme(command: str) -> None:
    sections = re.findall(r"^## (.+)$", (ROOT / "docs/COMMANDS.md").read_text(), re.MULTILINE)
    section = next((s for s in sections if re.search(rf"`/{command}\b", s)), None)
    assert section is not None, f"docs/COMMANDS.md has no section for /{command}"
    assert f"](docs/COMMANDS.md#{slug(section)})" in (ROOT / "README.md").read_text(), (
        f"README.md's command table does not link /{command} to docs/COMMANDS.md#{slug(section)}"
    )


def test_nothing_points_outside_the_repository() -> None:
    files = [ROOT / "README.md", ROOT / "run_bot.py", ROOT / "Dockerfile"]
    for folder in SOURCES:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".md", ".sh"}]
    offenders = [
        str(path.relative_to(ROOT))
        for path in files
        if str(path.relative_to(ROOT)) not in MAY_NAME_SHARED
        and re.search(r"\.\./shared/\w|/work/shared|INTERFACES\.md", path.read_text())
    ]
    assert not offenders, f"these name files a clone does not have: {offenders}"

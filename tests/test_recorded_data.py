"""The recorded data in tests/data/ is the same as the team's shared copy, when there is one.

The tests read only the repository copies; this check keeps them from drifting apart from
`../shared/` (next to the repository), where the recordings were first kept.
"""

from __future__ import annotations

import pytest

from tests.data import DATA_DIR

SHARED_DIR = DATA_DIR.parents[2] / "shared"
COPIES = [
    "telegram/bot-api-10.1.json",
    "telegram/LICENSE.spec",
    "comfyui/CONTRACT.md",
    "comfyui/http_samples.json",
    "comfyui/ws_messages.json",
    "comfyui/queue_interrupt.json",
]


@pytest.mark.parametrize("name", COPIES)
def test_the_copy_matches_the_shared_original(name: str) -> None:
    copy, original = DATA_DIR / name, SHARED_DIR / name
    assert copy.is_file(), f"tests/data/{name} is missing from the repository"
    if not original.is_file():
        pytest.skip(f"no {original} next to the repository: nothing to compare with")
    assert copy.read_bytes() == original.read_bytes(), (
        f"tests/data/{name} differs from {original}: copy the newer one into tests/data/"
    )


def test_every_copied_file_is_listed() -> None:
    """A file added to tests/data/telegram or comfyui without a line here would go unchecked."""
    on_disk = {
        str(path.relative_to(DATA_DIR))
        for folder in ("telegram", "comfyui")
        for path in (DATA_DIR / folder).rglob("*")
        if path.is_file()
    }
    assert on_disk == set(COPIES)

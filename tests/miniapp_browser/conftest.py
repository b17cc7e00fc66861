"""The Mini App in a real browser: Chromium's fixtures (skip without it, fail under CI).

Imported rather than listed in `pytest_plugins`, which pytest takes only from the top-level
conftest; this way only the tests below this folder get them.
"""

from __future__ import annotations

from tests.doubles.webapp_fixtures import browser, chromium_path

__all__ = ["browser", "chromium_path"]

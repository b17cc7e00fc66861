"""Graphviz for the tests that draw a flow's diagram (tests/flows_tg/conftest.py loads it).

Without Graphviz's `dot` those tests are skipped with the reason; under CI (CI=true, or
REQUIRE_GRAPHVIZ=1) they fail instead, as PostgreSQL's and Dovecot's do, so CI always
proves the diagram with the real program (scripts/graphviz.sh installs it, run by the
test command as root).
"""

from __future__ import annotations

import os
import shutil

import pytest

INSTALL_HINT = "apt-get install graphviz (or sudo ./scripts/system-packages.sh)"


def _graphviz_required() -> bool:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return ci or bool(os.environ.get("REQUIRE_GRAPHVIZ"))


@pytest.fixture(scope="session")
def dot_binary() -> str:
    """The path of `dot`; skipped (or failed, under CI) when Graphviz is not installed."""
    path = shutil.which("dot")
    if path is None:
        message = f"Graphviz is not installed ({INSTALL_HINT})"
        if _graphviz_required():
            pytest.fail(message + "; CI requires it", pytrace=False)
        pytest.skip(message)
    return path

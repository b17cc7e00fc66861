"""/flow's tests: Graphviz's fixture (skip without `dot`, fail under CI).

Imported rather than listed in `pytest_plugins`, which pytest takes only from the top-level
conftest; this way only the tests below this folder get it.
"""

from __future__ import annotations

from tests.doubles.graphviz_fixtures import dot_binary

__all__ = ["dot_binary"]

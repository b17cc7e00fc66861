"""The crew's end-to-end fixtures (tests/crew_cards/support.py), for the tests here; the
ones in tests/e2e get them from their own conftest."""

from tests.crew_cards.support import crew_llm, crew_settings, harness  # noqa: F401  (fixtures)

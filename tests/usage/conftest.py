"""The whole bot for /usage and /report, over the Bot API double and the fake model
server: the same `harness` as the end-to-end tests'."""

from tests.e2e.conftest import harness  # noqa: F401  (fixture)

"""Fixtures for the telegram test double (registered in tests/conftest.py).

`telegram_api` serves a spec-checking Bot API on 127.0.0.1 for one test. A request the real
Telegram would reject fails the test, even when the bot swallowed the 400: call
`telegram_api.expect_violations()` (or clear `telegram_api.violations`) in tests that send
bad requests on purpose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator

import pytest
from telegram import Bot

from tests.doubles.telegram_api import TelegramApiDouble

_FIXTURE = "telegram_api"


def _violation_report(double: TelegramApiDouble) -> str:
    lines = "\n".join(f"  - {v}" for v in double.violations)
    return (
        f"{len(double.violations)} request(s) the real Telegram would reject:\n{lines}\n"
        "(call telegram_api.expect_violations() if the test sends them on purpose)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Fail the test itself (not its teardown) when the bot made invalid requests."""
    double = getattr(item, "funcargs", {}).get(_FIXTURE)
    if not isinstance(double, TelegramApiDouble):
        return (yield)
    try:
        yield
    except BaseException as exc:
        # The test failed anyway: show the violations as a note on its own error.
        if double.violations:
            exc.add_note(_violation_report(double))
            double.violations.clear()
        raise
    if double.violations:
        report = _violation_report(double)
        double.violations.clear()  # reported once; teardown only sees later ones
        raise AssertionError(report)


@pytest.fixture
async def telegram_api() -> AsyncIterator[TelegramApiDouble]:
    double = TelegramApiDouble()
    await double.start()
    try:
        yield double
    finally:
        await double.stop()
    # Requests made while other fixtures shut the bot down arrive after the test body.
    if double.violations:
        pytest.fail(_violation_report(double), pytrace=False)


@pytest.fixture
async def telegram_bot(telegram_api: TelegramApiDouble) -> AsyncIterator[Bot]:
    """A real, initialised PTB Bot talking to the double over HTTP."""
    bot = Bot(
        telegram_api.token,
        base_url=telegram_api.base_url,
        base_file_url=telegram_api.file_base_url,
    )
    async with bot:
        yield bot

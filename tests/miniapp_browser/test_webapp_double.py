"""The telegram-web-app.js double gives a page what Telegram's script gives a Mini App.

A page served here under the Mini App's CSP loads https://telegram.org/js/telegram-web-app.js
(answered by the double) and must find the signed initData, the theme as `--tg-theme-*`
variables, and the WebApp methods Mini Apps call.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from playwright.async_api import Browser, expect

from tests.doubles.init_data import sign_init_data
from tests.doubles.local_server import serve
from tests.doubles.webapp_fixtures import DARK, LIGHT, open_app

TOKEN = "123456:TEST"
USER = {"id": 1001, "first_name": "Ann", "language_code": "en"}
CSP = "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'"
SHELL = """<!doctype html><html><head>
<script src="https://telegram.org/js/telegram-web-app.js"></script>
<script src="/app/static/probe.js" defer></script></head><body><p id="out">…</p></body></html>"""
PROBE = """Telegram.WebApp.ready(); Telegram.WebApp.expand();
Telegram.WebApp.HapticFeedback.impactOccurred("light");
document.getElementById("out").textContent = Telegram.WebApp.initDataUnsafe.user.first_name;"""


async def _shell(_: web.Request) -> web.Response:
    return web.Response(
        text=SHELL, content_type="text/html", headers={"Content-Security-Policy": CSP}
    )


async def _probe(_: web.Request) -> web.Response:
    return web.Response(text=PROBE, content_type="application/javascript")


@pytest.fixture
async def shell_url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/app/", _shell)
    app.router.add_get("/app/static/probe.js", _probe)
    async with serve(app) as url:
        yield url


async def test_the_page_gets_the_signed_init_data_and_the_webapp_api(
    browser: Browser, shell_url: str
) -> None:
    init_data = sign_init_data(TOKEN, USER, auth_date=int(time.time()))
    app = await open_app(browser, shell_url, init_data)
    await expect(app.page.locator("#out")).to_have_text("Ann")
    assert await app.page.evaluate("Telegram.WebApp.initData") == init_data
    unsafe = await app.page.evaluate("Telegram.WebApp.initDataUnsafe")
    assert unsafe["user"] == USER and unsafe["query_id"] == "AAE1"
    assert await app.webapp_calls() == ["ready", "expand", "HapticFeedback.impactOccurred"]
    assert app.errors == []


@pytest.mark.parametrize(("scheme", "theme"), [("light", LIGHT), ("dark", DARK)])
async def test_the_theme_is_set_as_css_variables_like_telegram_does(
    browser: Browser, shell_url: str, scheme: str, theme: dict[str, str]
) -> None:
    app = await open_app(browser, shell_url, "", theme=scheme)
    css = await app.page.evaluate(
        """() => { const s = getComputedStyle(document.documentElement);
        return { bg: s.getPropertyValue('--tg-theme-bg-color'),
                 button: s.getPropertyValue('--tg-theme-button-text-color'),
                 scheme: s.getPropertyValue('--tg-color-scheme'),
                 height: s.getPropertyValue('--tg-viewport-height') }; }"""
    )
    assert css == {"bg": theme["bg_color"], "button": theme["button_text_color"],
                   "scheme": scheme, "height": "740px"}  # fmt: skip
    assert await app.page.evaluate("Telegram.WebApp.colorScheme") == scheme


async def test_no_request_leaves_the_machine(browser: Browser, shell_url: str) -> None:
    app = await open_app(browser, shell_url, "")
    status = await app.page.evaluate(
        "fetch('https://example.com/').then(() => 'fetched', () => 'refused')"
    )
    # CSP (connect-src unset: default-src 'none') or the route refuses it; either way, nothing.
    assert status == "refused"

"""A real headless browser for the Mini App's tests: Debian's Chromium driven by Playwright.

`chromium_path` finds /usr/bin/chromium (or CHROMIUM_PATH). Without it the browser tests are
skipped with the reason; under CI (CI=true, or REQUIRE_CHROMIUM=1) they fail instead, as
Graphviz's and PostgreSQL's do (scripts/chromium.sh installs it, run by the test command
as root). Playwright never downloads a browser here: it launches that one by its path.

`open_app` opens `/app/` as Telegram would: at phone size (360×740), with
https://telegram.org/js/telegram-web-app.js answered by tests/doubles/telegram-web-app.js,
which carries the initData the test signed and the theme it chose.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.async_api import Browser, Page, Route, ViewportSize, async_playwright

INSTALL_HINT = "apt-get install chromium (or sudo ./scripts/system-packages.sh)"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
DOUBLE_SCRIPT = Path(__file__).with_name("telegram-web-app.js")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "miniapp"
PHONE: ViewportSize = {"width": 360, "height": 740}

# Telegram's own default themes (Telegram for Android, day and night), as themeParams.
LIGHT = {
    "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#a8a8a8",
    "link_color": "#2678b6", "button_color": "#50a8eb", "button_text_color": "#ffffff",
    "secondary_bg_color": "#f0f0f0", "header_bg_color": "#527da3",
    "accent_text_color": "#1c93e3", "section_bg_color": "#ffffff",
    "section_header_text_color": "#3a95d5", "subtitle_text_color": "#82868a",
    "destructive_text_color": "#cc2929", "section_separator_color": "#d9d9d9",
    "bottom_bar_bg_color": "#f0f0f0",
}  # fmt: skip
DARK = {
    "bg_color": "#212d3b", "text_color": "#ffffff", "hint_color": "#7d8b99",
    "link_color": "#5eabe1", "button_color": "#5288c1", "button_text_color": "#ffffff",
    "secondary_bg_color": "#151e27", "header_bg_color": "#242d39",
    "accent_text_color": "#64b5ef", "section_bg_color": "#17212b",
    "section_header_text_color": "#4ea4f6", "subtitle_text_color": "#7e8b98",
    "destructive_text_color": "#ee686f", "section_separator_color": "#111921",
    "bottom_bar_bg_color": "#151e27",
}  # fmt: skip
THEMES = {"light": LIGHT, "dark": DARK}


def _chromium_required() -> bool:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return ci or bool(os.environ.get("REQUIRE_CHROMIUM"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Chromium's path; skipped (or failed, under CI) when it is not installed."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        message = f"Chromium is not installed ({INSTALL_HINT})"
        if _chromium_required():
            pytest.fail(message + "; CI requires it", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    """Headless Chromium for one test (each test has its own event loop)."""
    async with async_playwright() as playwright:
        # --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
        launched = await playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


def webapp_script(init_data: str, *, theme: str = "light") -> str:
    """The WebApp double, preceded by the line that gives it this initData and theme."""
    unsafe: dict[str, Any] = {}
    for key, value in parse_qsl(init_data, keep_blank_values=True):
        unsafe[key] = json.loads(value) if key in {"user", "receiver", "chat"} else value
    config = {
        "initData": init_data,
        "initDataUnsafe": unsafe,
        "colorScheme": theme,
        "themeParams": THEMES[theme],
    }
    return f"window.__TG_WEBAPP_DOUBLE__ = {json.dumps(config)};\n" + DOUBLE_SCRIPT.read_text()


@dataclass
class AppPage:
    """A page showing the Mini App, and what it asked the network for."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Uncaught exceptions and console errors (CSP refusals among them) seen so far."""

    async def webapp_calls(self) -> list[str]:
        """The WebApp methods the page called (ready, expand, ...), in order."""
        calls: list[str] = await self.page.evaluate(
            "Telegram.WebApp.__double__.calls.map(c => c.method)"
        )
        return calls

    async def screenshot(self, name: str) -> Path:
        """Saved to test-artifacts/miniapp/<name>.png (full page) for people to look at."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path


async def open_app(
    browser: Browser,
    base_url: str,
    init_data: str,
    *,
    theme: str = "light",
    touch: bool = False,
) -> AppPage:
    """`/app/` opened at phone size as Telegram opens it, with `init_data` and `theme`.

    `touch` makes a touch phone (has_touch, is_mobile): drags then come as touch pointers.
    Every request is written down, and every page error (an uncaught exception, a CSP
    refusal in the console) in `errors`.
    """
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=2 if touch else 1,
        has_touch=touch,
        is_mobile=touch,
        color_scheme="dark" if theme == "dark" else "light",
        locale="en-GB",
        timezone_id="Europe/Berlin",
    )
    script = webapp_script(init_data, theme=theme)

    async def telegram_js(route: Route) -> None:
        await route.fulfill(status=200, content_type="application/javascript", body=script)

    await context.route(TELEGRAM_SCRIPT, telegram_js)
    # Nothing else may leave 127.0.0.1: the app must work without other hosts.
    await context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), _refuse_outside)
    page = await context.new_page()
    app = AppPage(page)
    page.on("request", lambda request: app.requests.append(request.url))
    page.on("pageerror", lambda exc: app.errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            app.errors.append(f"console: {msg.text}")
            if msg.type == "error" and _counts_as_error(msg.text)
            else None
        ),
    )
    page.set_default_timeout(10_000)
    await page.goto(base_url.rstrip("/") + "/app/")
    return app


async def _refuse_outside(route: Route) -> None:
    if route.request.url == TELEGRAM_SCRIPT:
        await route.fallback()
        return
    await route.abort("blockedbyclient")


def _counts_as_error(text: str) -> bool:
    # A refused request (401/403) is logged by Chromium as a console error: tests that
    # send forged initData expect those; everything else (CSP violations, script errors) counts.
    return "Failed to load resource" not in text

"""The Mini App's Numbers and Brands tabs in headless Chromium at phone width: they render
in both themes without spilling sideways, and brand settings change from the page.
Screenshots go to test-artifacts/miniapp/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from core.brands.guidelines import BrandGuidelines
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.webapp_fixtures import AppPage, open_app
from tests.e2e.campaign_support import bot_on, make_persona
from tests.e2e.harness import Harness
from tests.miniapp_browser.support import init_data


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole bot (SQLite: these tabs only read, or change one row through core.brands,
    whose own tests cover PostgreSQL) with a persona and its brand."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'tabs.db'}"
    async with bot_on(telegram_api, llm_server, tmp_path, database_url) as harness:
        persona = await make_persona(harness)
        guidelines = BrandGuidelines(brand_name="Acme Candles", tone="warm", voice="friendly")
        await harness.bot.services.brands.save(guidelines, persona_id=persona.id)
        yield harness


async def _tab(bot: Harness, browser: Browser, tab: str, theme: str = "light") -> AppPage:
    app = await open_app(browser, bot.web_url, init_data(), theme=theme)
    await app.page.locator(f'[data-tab="{tab}"]').click()
    await expect(app.page.locator(f'[data-tab="{tab}"]')).to_have_attribute("aria-selected", "true")
    await expect(app.page.locator(f"#view .{tab}")).to_be_visible()
    return app


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("tab", ["numbers", "brands"])
async def test_the_tab_renders_at_phone_width(
    bot: Harness, browser: Browser, tab: str, theme: str
) -> None:
    app = await _tab(bot, browser, tab, theme)
    # Nothing sticks out sideways on a 360 px phone.
    width = await app.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the {tab} tab is {width} px wide"
    await app.screenshot(f"{tab}-{theme}")
    assert app.errors == []


async def test_brand_settings_change_from_the_page(bot: Harness, browser: Browser) -> None:
    brands = bot.bot.services.brands
    (brand,) = await brands.list()
    assert brand.guidelines.crew_enabled
    app = await _tab(bot, browser, "brands")
    card = app.page.locator(f'[data-brand="{brand.brand_id}"]')
    await card.locator('[name="crew_enabled"]').uncheck()
    await card.locator('[name="quality_threshold"]').fill("80")
    await card.locator("[data-brand-save]").click()
    await expect(app.page.locator("#toast")).to_be_visible()
    changed = await brands.get(brand.brand_id)
    assert (changed.guidelines.crew_enabled, changed.guidelines.quality_threshold) == (False, 80)
    assert changed.guidelines.tone == "warm"  # the rest is kept
    # Out of range: refused with the reason, nothing changes.
    card = app.page.locator(f'[data-brand="{brand.brand_id}"]')
    await card.locator('[name="quality_threshold"]').fill("150")
    await card.locator("[data-brand-save]").click()
    await expect(app.page.locator("#toast")).to_contain_text("0 to 100")
    await app.screenshot("brands-refused-threshold")
    assert (await brands.get(brand.brand_id)).guidelines.quality_threshold == 80
    assert app.errors == []

"""GET /app/ is a shell with no data; static files are served; every /app/ response has the
CSP and security headers; the numbers and brands fragments render for an admin."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

from bot.miniapp.security import CSP
from core.brands.guidelines import BrandGuidelines
from tests.e2e.campaign_support import make_persona
from tests.miniapp.conftest import NOW, AppClient, signed
from tests.usage.support import add_calls, call, decided

STATIC = Path(__file__).resolve().parents[2] / "bot" / "miniapp" / "static"


async def test_the_shell_holds_no_data_and_loads_only_our_scripts(app: AppClient) -> None:
    status, page, headers = await app.get("/app/", auth=False)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    for tab in ("calendar", "queue", "numbers", "brands"):
        assert f'data-tab="{tab}"' in page
    assert 'id="toast"' in page and "data-item" not in page
    # No inline script or style: every <script> has a src, and there is no style attribute.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page and " style=" not in page
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources[0] == "https://telegram.org/js/telegram-web-app.js"
    assert all(src.startswith("/app/static/") for src in sources[1:])
    for src in sources[1:]:
        status, _, headers = await app.get(src.split("?")[0], auth=False)
        assert status == 200 and "Content-Security-Policy" in headers


async def test_the_csp_is_strict(app: AppClient) -> None:
    _, _, headers = await app.get("/app/api/queue")
    policy = dict(part.split(" ", 1) for part in headers["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self' https://telegram.org"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' blob: data:"
    assert policy["connect-src"] == "'self'"
    assert "https://web.telegram.org" in policy["frame-ancestors"]
    assert headers["Cache-Control"] == "no-store"
    status, _, headers = await app.get("/app/static/nothing-here.js", auth=False)
    assert status == 404 and "Content-Security-Policy" in headers
    status, _, headers = await app.get("/health", auth=False)
    assert "Content-Security-Policy" not in headers  # only the Mini App's responses


def test_the_vendored_htmx_matches_its_recorded_hash() -> None:
    notes = (STATIC / "VENDORED.md").read_text()
    digest = hashlib.sha256((STATIC / "htmx-4.0.1.min.js").read_bytes()).hexdigest()
    assert f"`{digest}`" in notes


async def test_numbers_and_brands_render(app: AppClient) -> None:
    services = app.harness.bot.services
    await services.brands.upsert(_guidelines("Candle Co"), persona_id=None, actor="test")
    for period in ("7d", "30d"):
        status, page, _ = await app.get(f"/app/api/view/numbers?period={period}")
        assert status == 200, page
        assert "No model calls in this period" in page and "Posts published: 0" in page
    status, page, _ = await app.get("/app/api/view/numbers?period=1y")
    assert status == 400 and "7d, 30d" in page
    await make_persona(app.harness, "Beeswax Studio")
    status, page, _ = await app.get("/app/api/view/brands")
    assert status == 200 and "Candle Co" in page and 'name="quality_threshold"' in page
    assert "use the default brand: Beeswax Studio." in page


async def test_brand_settings_change_crew_and_threshold(app: AppClient) -> None:
    services = app.harness.bot.services
    view, _ = await services.brands.upsert(_guidelines("Candle Co"), persona_id=None, actor="t")
    path = f"/app/api/brands/{view.brand_id}"
    status, body = await app.post(path, {"crew_enabled": False, "quality_threshold": 80})
    assert status == 200, body
    stored = await services.brands.get(view.brand_id)
    assert (stored.guidelines.crew_enabled, stored.guidelines.quality_threshold) == (False, 80)
    assert stored.updated_by.startswith("user:")
    for bad, says in (
        ({"quality_threshold": 101}, "0 to 100"),
        ({"crew_enabled": "no"}, "true or false"),
        ({"voice": "loud"}, "use /brand"),
        ({}, "crew_enabled"),
    ):
        status, body = await app.post(path, bad)
        assert status == 400 and says in body["error"], body
    assert (await services.brands.get(view.brand_id)).guidelines.quality_threshold == 80
    _, page, _ = await app.get("/app/api/view/brands")
    assert "Last changed by admin 1001." in page
    assert (await app.post("/app/api/brands/4242", {"crew_enabled": True}))[0] == 404


def _guidelines(name: str) -> BrandGuidelines:
    return BrandGuidelines(brand_name=name)


async def test_a_stranger_sees_no_fragment(app: AppClient) -> None:
    status, page, _ = await app.get("/app/api/view/brands", init=signed({"id": 4}))
    assert status == 403 and 'data-refusal="403"' in page


async def test_numbers_show_the_spend_as_bars_and_the_drafts_kept(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    async with sessions.begin() as session:
        ids = await add_calls(
            session,
            call(NOW - timedelta(days=1), "suggest_post", microusd=40_000),
            call(NOW - timedelta(days=3), "crew_brand", microusd=10_000),
            call(NOW - timedelta(days=20), "suggest_post", microusd=5_000),  # 30 days only
        )
        hour_ago = NOW - timedelta(hours=1)
        await decided(
            session, "suggestion", 1, ids[0], NOW - timedelta(days=1), "approved", hour_ago
        )
    _, week, _ = await app.get("/app/api/view/numbers?period=7d")
    assert "<b>$0.05</b>" in week and "<b>2</b>" in week  # cost and calls of 7 days
    assert week.count('class="bar"') == 7 + 2  # a bar a day, a bar a feature
    assert "Drafts kept (30 days)" in week and "1 of 1" in week
    assert "No model calls" not in week
    _, month, _ = await app.get("/app/api/view/numbers?period=30d")
    assert "<b>$0.055</b>" in month or "<b>$0.06</b>" in month
    assert month.count('class="bar"') >= 30

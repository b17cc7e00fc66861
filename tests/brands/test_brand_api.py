"""POST /api/brand/upload with the content copilot design's Brand Guidelines JSON, and the
GET routes; then the same brand seen in Telegram."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.brands.conftest import TOKEN
from tests.e2e.campaign_support import make_persona
from tests.e2e.harness import Harness

AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The design's "Brand Guidelines" data model, field for field (brand_name: string,
# voice: string, tone: string, values: string[], colors: string[] (hex codes),
# prohibited_topics: string[], keywords: string[]) and nothing else.
DESIGN_BRAND: dict[str, Any] = {
    "brand_name": "Acme Candles",
    "voice": "A friendly expert who never pushes",
    "tone": "warm, calm",
    "values": ["handmade", "sustainable"],
    "colors": ["#1A2B3C", "#F4E1C1"],
    "prohibited_topics": ["politics", "health claims"],
    "keywords": ["soy wax", "hand-poured"],
}


async def _call(
    harness: Harness, method: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    headers = {**AUTH, **kwargs.pop("headers", {})}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, harness.web_url + path, headers=headers, **kwargs) as answer,
    ):
        return answer.status, await answer.json()


async def test_the_designs_brand_json_is_stored_and_read_back(api_harness: Harness) -> None:
    harness = api_harness
    status, body = await _call(harness, "POST", "/api/brand/upload", json=DESIGN_BRAND)
    assert status == 201, body
    assert {k: body[k] for k in DESIGN_BRAND} == DESIGN_BRAND
    assert (body["brand_id"], body["persona_id"], body["is_default"]) == ("1", None, True)
    assert body["crew_enabled"] is True and body["quality_threshold"] == 70

    status, one = await _call(harness, "GET", f"/api/brands/{body['brand_id']}")
    assert (status, one) == (200, body)
    status, listing = await _call(harness, "GET", "/api/brands")
    assert (status, listing) == (200, {"brands": [body]})
    stored = await harness.bot.services.brands.for_persona(None)
    assert stored is not None and stored.keywords == DESIGN_BRAND["keywords"]

    # The same upload again replaces it: 200, one brand.
    status, again = await _call(harness, "POST", "/api/brand/upload", json=DESIGN_BRAND)
    assert (status, again["brand_id"]) == (200, "1")

    harness.send("/brand")
    listing_msg = (await harness.said("🏷 Brands")).params["text"]
    assert "<b>Acme Candles</b> — no persona (brand_id 1) ⭐ default" in listing_msg


async def test_a_persona_by_name_our_fields_and_a_file(api_harness: Harness) -> None:
    harness = api_harness
    persona = await make_persona(harness)
    body = {**DESIGN_BRAND, "persona": "acme candles", "prohibited_words": ["cheap"],
            "channel_limits": {"sms": 300}, "crew_enabled": False}  # fmt: skip
    status, stored = await _call(harness, "POST", "/api/brand/upload", json=body)
    assert status == 201, stored
    assert (stored["persona_id"], stored["persona"]) == (persona.id, "Acme Candles")
    assert stored["channel_limits"] == {"sms": 300} and stored["crew_enabled"] is False

    form = aiohttp.FormData()
    form.add_field("file", b"brand_name: Acme Candles\ntone: bold\n", filename="brand.yaml")
    form.add_field("persona_id", str(persona.id))
    status, replaced = await _call(harness, "POST", "/api/brand/upload", data=form)
    assert status == 200, replaced
    assert replaced["brand_id"] == stored["brand_id"] and replaced["tone"] == "bold"
    assert replaced["crew_enabled"] is False  # kept: the file does not name it

    yaml_body = b"brand_name: Bolt\nkeywords: [gears]\n"
    headers = {"Content-Type": "application/yaml"}
    status, bolt = await _call(
        harness, "POST", "/api/brand/upload", data=yaml_body, headers=headers
    )
    assert (status, bolt["keywords"], bolt["is_default"]) == (201, ["gears"], False)


async def test_bad_input_is_400_with_every_problem(api_harness: Harness) -> None:
    harness = api_harness
    bad = {**DESIGN_BRAND, "colors": ["blue"], "values": "handmade", "persona_id": 9}
    status, body = await _call(harness, "POST", "/api/brand/upload", json=bad)
    assert status == 400
    assert body["error"] == "Validation failed"
    text = "\n".join(body["details"])
    assert "colors: colors must be hex codes like #1A2B3C, not: blue" in text
    assert "values" in text
    status, body = await _call(
        harness, "POST", "/api/brand/upload", json={**DESIGN_BRAND, "persona_id": 9}
    )
    assert (status, body["details"]) == (400, ["persona: Persona #9 does not exist."])
    status, body = await _call(harness, "POST", "/api/brand/upload", data=b"{not json",
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 400 and "not valid JSON" in body["details"][0]
    status, body = await _call(harness, "POST", "/api/brand/upload", data=b"x" * 300_000)
    assert status == 413
    assert await harness.bot.services.brands.list() == ()

    status, body = await _call(harness, "GET", "/api/brands/77")
    assert (status, body) == (404, {"error": "Brand #77 does not exist."})
    status, _ = await _call(harness, "GET", "/api/brands", headers={"Authorization": "Bearer no"})
    assert status == 401


async def test_delete_a_brand_answers_it_and_then_404(api_harness: Harness) -> None:
    harness = api_harness
    status, body = await _call(harness, "POST", "/api/brand/upload", json=DESIGN_BRAND)
    assert status == 201, body

    status, gone = await _call(harness, "DELETE", f"/api/brands/{body['brand_id']}")
    assert (status, gone) == (200, {"deleted": True, "brand": body})
    for method in ("DELETE", "GET"):
        status, missing = await _call(harness, method, f"/api/brands/{body['brand_id']}")
        assert status == 404 and "Brand #1 does not exist" in str(missing), missing
    status, listing = await _call(harness, "GET", "/api/brands")
    assert (status, listing) == (200, {"brands": []})
    status, odd = await _call(harness, "DELETE", "/api/brands/acme")
    assert status == 404, odd
    async with (
        aiohttp.ClientSession() as http,
        http.delete(harness.web_url + "/api/brands/1") as answer,
    ):
        assert answer.status == 401  # the bearer token, as on every route

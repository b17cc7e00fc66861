"""Every /app/api route checks `Authorization: tma <initData>`: 401 when missing, forged
or stale, 403 for a signed user who is not an admin; only then any data."""

from __future__ import annotations

import pytest

from tests.e2e.harness import STRANGER
from tests.miniapp.conftest import ANN, AppClient, signed

GETS = (
    "/app/api/calendar?from=2026-12-01&to=2026-12-31",
    "/app/api/queue",
    "/app/api/images/1",
    "/app/api/view/calendar?view=month",
    "/app/api/view/calendar?view=week",
    "/app/api/view/queue",
    "/app/api/view/numbers?period=7d",
    "/app/api/view/brands",
)
POSTS = (
    ("/app/api/posts/1/reschedule", {"scheduled_at": "2030-01-01T10:00"}),
    ("/app/api/review/post/1", {"action": "approve"}),
    ("/app/api/brands/1", {"crew_enabled": False}),
)


def forged() -> str:
    """Ann's initData with the user swapped after signing: the hash no longer matches."""
    genuine = signed({"id": 1, "first_name": "Eve"})
    return genuine.replace("%22id%22%3A1%2C", f"%22id%22%3A{ANN['id']}%2C")


async def test_every_route_refuses_without_valid_init_data(app: AppClient) -> None:
    wrong_bot = signed(token="654321:OTHER")
    for path in GETS:
        for init, expected in (
            (None, 401), (forged(), 401), (signed(age_s=25 * 3600), 401), (wrong_bot, 401),
            (signed({"id": STRANGER, "first_name": "Mallory"}), 403),
        ):  # fmt: skip
            status, text, headers = await app.get(path, init=init, auth=init is not None)
            assert status == expected, (path, init, text)
            assert "Content-Security-Policy" in headers
            if expected == 401:
                assert headers["WWW-Authenticate"] == "tma"
    for path, body in POSTS:
        assert (await app.post(path, body, init=forged()))[0] == 401
        status, answer = await app.post(path, body, init=signed({"id": STRANGER}))
        assert status == 403
        assert "admins" in answer["error"]


async def test_json_refusals_say_why_and_fragments_show_a_refusal(app: AppClient) -> None:
    status, text, _ = await app.get("/app/api/queue", init=signed(age_s=2 * 86400))
    assert status == 401 and "too old" in text
    status, text, headers = await app.get("/app/api/view/calendar", init=forged())
    assert status == 401
    assert headers["Content-Type"].startswith("text/html")
    assert 'data-refusal="401"' in text and "data-item" not in text


async def test_a_post_needs_a_json_body(app: AppClient) -> None:
    status, answer = await app.post(
        "/app/api/review/post/1", "action=approve", content_type="application/x-www-form-urlencoded"
    )
    assert status == 415 and "application/json" in answer["error"]
    status, answer = await app.post("/app/api/review/post/1", "{not json")
    assert status == 400


@pytest.mark.parametrize("scheme", ["Bearer", "tma", ""])
async def test_a_header_without_init_data_is_401(app: AppClient, scheme: str) -> None:
    async with app.http.get(
        app.base + "/app/api/queue", headers={"Authorization": f"{scheme} "}
    ) as response:
        assert response.status == 401


async def test_every_mounted_app_api_route_is_in_these_lists(app: AppClient) -> None:
    """A route added later without a place here (so without its auth test) fails this."""
    router = app.harness.bot.site_runner.app.router
    mounted = {
        (route.method, route.resource.canonical)
        for route in router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/app/api/")
        and route.method != "HEAD"
    }
    listed = {("GET", _canonical(path)) for path in GETS} | {
        ("POST", _canonical(path)) for path, _ in POSTS
    }
    assert mounted == listed


def _canonical(path: str) -> str:
    """/app/api/review/post/1?x=y -> /app/api/review/{kind}/{id}, as the router names it."""
    known = {
        "/app/api/images/1": "/app/api/images/{id}",
        "/app/api/posts/1/reschedule": "/app/api/posts/{id}/reschedule",
        "/app/api/review/post/1": "/app/api/review/{kind}/{id}",
        "/app/api/brands/1": "/app/api/brands/{id}",
    }
    bare = path.split("?")[0]
    return known.get(bare, bare)

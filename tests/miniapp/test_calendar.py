"""The calendar over HTTP: JSON and fragments with posts and sequence emails by status, and
moving a post through /schedule's own service (a published post refuses to move)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.models import Post
from tests.miniapp.conftest import NOW, AppClient, signed
from tests.publishing.helpers import add_post

BERLIN = ZoneInfo("Europe/Berlin")  # make_settings' TIMEZONE


def soon(days: int, hour: int = 9) -> datetime:
    """A local wall time `days` ahead, as an aware UTC instant."""
    day = NOW.astimezone(BERLIN).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=BERLIN).astimezone(UTC)


async def scheduled_at(app: AppClient, post_id: int) -> datetime | None:
    async with app.harness.bot.services.sessions() as session:
        return await session.scalar(select(Post.scheduled_at).where(Post.id == post_id))


async def test_the_calendar_lists_posts_by_status_in_the_range(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    ready = await add_post(sessions, at=soon(2), status="scheduled", title="Launch")
    draft = await add_post(sessions, at=soon(3), status="draft", approved=False, title="Idea")
    await add_post(sessions, at=soon(3), status="rejected", title="Dropped")
    await add_post(sessions, at=soon(40), status="scheduled", title="Far away")
    first, last = soon(0).date(), soon(10).date()
    body = await app.get_json(f"/app/api/calendar?from={first}&to={last}")
    assert [(i["id"], i["kind"], i["title"], i["status"]) for i in body["items"]] == [
        (ready, "post", "Launch", "scheduled"),
        (draft, "post", "Idea", "draft"),
    ]
    assert body["items"][0]["scheduled_at"] == soon(2).isoformat()
    assert [i["movable"] for i in body["items"]] == [True, True]  # a draft's plan moves too


async def test_bad_ranges_are_400_with_the_reason(app: AppClient) -> None:
    for query, says in (
        ("from=2026-12-10&to=2026-12-01", "not be before"),
        ("from=2026-01-01&to=2026-12-31", "at most 92 days"),
        ("from=yesterday&to=2026-12-31", "YYYY-MM-DD"),
        ("to=2026-12-31", "from: must be a date"),
    ):
        status, text, _ = await app.get(f"/app/api/calendar?{query}")
        assert status == 400 and says in text, (query, text)


async def test_month_and_week_fragments_carry_the_dom_hooks(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    at = soon(1, hour=14)
    post_id = await add_post(sessions, at=at, status="scheduled", title="Tea & <cake>")
    done = await add_post(sessions, at=soon(1, hour=8), status="published", title="Out")
    day = at.astimezone(BERLIN).date()
    status, month, _ = await app.get(f"/app/api/view/calendar?view=month&date={day}")
    assert status == 200
    assert f'data-date="{day}"' in month
    assert f'data-item="post:{post_id}" data-status="scheduled"' in month
    assert f'data-item="post:{done}" data-status="published"' in month
    assert "Tea &amp; &lt;cake&gt;" in month  # escaped, never markup
    assert month.count("data-draggable") == 1  # the published post can't move
    status, week, _ = await app.get(f"/app/api/view/calendar?view=week&date={day}")
    assert status == 200
    slot = week.split(f'data-slot="{day}T14:00"', 1)[1].split("data-slot", 1)[0]
    assert f'data-item="post:{post_id}"' in slot
    status, text, _ = await app.get("/app/api/view/calendar?view=year")
    assert status == 400 and "month or week" in text


async def test_a_post_moves_to_another_day_keeping_its_local_time(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    post_id = await add_post(sessions, at=soon(2), status="scheduled")
    target = soon(5).astimezone(BERLIN)
    wall = f"{target:%Y-%m-%dT%H:%M}"  # what the page sends: a wall time in TIMEZONE
    status, body = await app.post(f"/app/api/posts/{post_id}/reschedule", {"scheduled_at": wall})
    assert status == 200, body
    assert body["item"]["status"] == "scheduled"
    assert f"Post #{post_id} moved to" in body["message"]
    assert await scheduled_at(app, post_id) == soon(5)
    # /schedule's service sees the same time.
    item = await app.harness.bot.services.publishing.scheduling.get(post_id)
    assert item.scheduled_at == soon(5)


async def test_a_planned_draft_moves_and_stays_a_draft(app: AppClient) -> None:
    """A draft's planned time is the shop owner's plan too: dropping it on another day
    moves the plan; it is not scheduled (nobody approved it), and the answer says so."""
    sessions = app.harness.bot.services.sessions
    draft = await add_post(sessions, at=soon(2), status="draft", approved=False)
    waiting = await add_post(sessions, at=soon(2, hour=11), status="awaiting_image")
    for post_id, days, what in ((draft, 5, "a draft"), (waiting, 6, "waiting for its image")):
        wall = f"{soon(days).astimezone(BERLIN):%Y-%m-%dT%H:%M}"
        status, body = await app.post(
            f"/app/api/posts/{post_id}/reschedule", {"scheduled_at": wall}
        )
        assert status == 200, body
        assert body["item"]["movable"] is True
        assert f"Post #{post_id} moved to" in body["message"]
        assert body["message"].endswith(f". Not scheduled yet: it is {what}.")
        assert await scheduled_at(app, post_id) == soon(days)
    async with sessions() as session:
        rows = await session.execute(select(Post.id, Post.status))
        statuses = {post_id: status for post_id, status in rows}
    assert (statuses[draft], statuses[waiting]) == ("draft", "awaiting_image")


async def test_a_published_post_refuses_to_move(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    post_id = await add_post(sessions, at=soon(1), status="published")
    wall = f"{soon(4).astimezone(BERLIN):%Y-%m-%dT%H:%M}"
    status, body = await app.post(f"/app/api/posts/{post_id}/reschedule", {"scheduled_at": wall})
    assert status == 409
    assert body["error"] == f"Post #{post_id} can't be scheduled: it was already published."
    assert await scheduled_at(app, post_id) == soon(1)


async def test_reschedule_refusals_change_nothing(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    post_id = await add_post(sessions, at=soon(2), status="scheduled")
    draft = await add_post(sessions, at=soon(2), status="draft", approved=False)
    past = f"{soon(-2).astimezone(BERLIN):%Y-%m-%dT%H:%M}"
    cases: tuple[tuple[int, dict[str, str], int, str], ...] = (
        (post_id, {"scheduled_at": past}, 400, "already passed"),
        (post_id, {"scheduled_at": "next tuesday"}, 400, "not a date and time"),
        (post_id, {}, 400, "scheduled_at"),
        (draft, {"scheduled_at": past}, 400, "already passed"),
        (999_999, {"scheduled_at": f"{soon(3):%Y-%m-%dT%H:%M}"}, 404, "does not exist"),
    )
    for item, body, expected, says in cases:
        status, answer = await app.post(f"/app/api/posts/{item}/reschedule", body)
        assert (status, says in answer["error"]) == (expected, True), (body, answer)
    assert await scheduled_at(app, post_id) == soon(2)
    assert await scheduled_at(app, draft) == soon(2)


async def test_a_busy_day_shows_three_items_and_a_link_to_its_week(app: AppClient) -> None:
    sessions = app.harness.bot.services.sessions
    for hour in range(8, 13):
        await add_post(sessions, at=soon(3, hour=hour), status="scheduled", title=f"At {hour}")
    day = soon(3).astimezone(BERLIN).date()
    _, month, _ = await app.get(f"/app/api/view/calendar?view=month&date={day}")
    cell = month.split(f'data-date="{day}"', 1)[1].split("data-date=", 1)[0]
    assert cell.count("data-item=") == 5  # all in the page (CSS shows three)
    assert f'data-more="{day}"' in cell and ">+2</button>" in cell
    assert f"view=week&amp;date={day}" in cell


async def test_fragments_and_json_are_sent_gzipped(app: AppClient) -> None:
    await add_post(app.harness.bot.services.sessions, at=soon(2), status="scheduled")
    headers = {"Authorization": f"tma {signed()}", "Accept-Encoding": "gzip"}
    for path in ("/app/api/view/calendar?view=month", "/app/api/queue"):
        async with app.http.get(app.base + path, headers=headers) as response:
            assert response.status == 200
            assert response.headers["Content-Encoding"] == "gzip"
            assert await response.text()  # and it decodes

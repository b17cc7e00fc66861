"""The review queue over HTTP: the same items as /approve, decisions through
core/review_queue (approve, reject, edit; a repeat is 409), the chat's card redrawn, and
image candidates by id behind the same auth."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain.crew import ItemKind
from storage.models import ImageRun, ImageRunPost, RunImage
from tests.e2e.harness import ADMIN
from tests.miniapp.conftest import AppClient, signed
from tests.review_queue.support import (
    cards_recorded,
    post,
    seed_emails,
    seed_posts,
    seed_suggestion,
    suggestion,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def test_the_queue_is_what_approve_shows(app: AppClient) -> None:
    suggestion_id = await seed_suggestion(app.harness)
    await seed_posts(app.harness, 2)
    body = await app.get_json("/app/api/queue")
    items = await app.harness.bot.services.review_queue.items()
    assert [(i["kind"], i["id"]) for i in body["items"]] == [(str(i.kind), i.id) for i in items]
    assert body["items"][0]["kind"] == "suggestion" and body["items"][0]["id"] == suggestion_id
    assert {"title", "text", "revision", "scores", "needs_confirmation", "images"} <= set(
        body["items"][1]
    )
    status, page, _ = await app.get("/app/api/view/queue")
    assert status == 200
    for item in items:
        assert f'data-card="{item.kind}:{item.id}"' in page
    assert page.count('data-action="approve"') == len(items)


async def test_approve_from_the_app_once_and_the_chat_card_says_so(app: AppClient) -> None:
    suggestion_id = await seed_suggestion(app.harness)
    app.harness.send("/approve")
    card = await app.harness.said("Cosy candle evening")
    message_id = app.harness.message_id_of(card)
    # Recorded after it is sent: an approve before that would find no card to redraw.
    await cards_recorded(app.harness, ItemKind.SUGGESTION, suggestion_id, (ADMIN, message_id))
    revision = (await suggestion(app.harness, suggestion_id)).revision
    path = f"/app/api/review/suggestion/{suggestion_id}"
    status, body = await app.post(path, {"action": "approve", "revision": revision})
    assert status == 200, body
    assert (body["kind"], body["id"], body["status"]) == ("suggestion", suggestion_id, "approved")
    assert (await suggestion(app.harness, suggestion_id)).status == "approved"
    await app.harness.said("Approved in the dashboard by Ann", on=message_id)
    status, again = await app.post(path, {"action": "approve", "revision": revision})
    assert status == 409, again


async def test_reject_and_edit_a_post_through_the_route(app: AppClient) -> None:
    await seed_posts(app.harness, 2)
    first, second = [i for i in await app.harness.bot.services.review_queue.items()]
    status, body = await app.post(
        f"/app/api/review/post/{first.id}",
        {"action": "edit", "text": "New words for the candle.", "revision": first.revision},
    )
    assert status == 200, body
    assert (await post(app.harness, first.id)).caption == "New words for the candle."
    status, body = await app.post(f"/app/api/review/post/{second.id}", {"action": "reject"})
    assert (status, body["status"]) == (200, "rejected")
    assert (await post(app.harness, second.id)).status == "rejected"


async def test_bad_decisions_are_refused_and_change_nothing(app: AppClient) -> None:
    await seed_posts(app.harness, 1)
    (item,) = await app.harness.bot.services.review_queue.items()
    path = f"/app/api/review/post/{item.id}"
    for body, expected, says in (
        ({"action": "publish"}, 400, "action: must be one of"),
        ({"action": "approve", "revision": "3"}, 400, "revision"),
        ({"action": "approve", "confirmed": "yes"}, 400, "confirmed"),
        ({"action": "edit", "text": 5}, 400, "text"),
        ({"action": "approve", "revision": item.revision + 7}, 409, "changed"),
        ({"action": "approve", "status": 3}, 400, "status"),
    ):
        status, answer = await app.post(path, body)
        assert (status, says in answer["error"]) == (expected, True), (body, answer)
    assert (await app.post("/app/api/review/flow/1", {"action": "approve"}))[0] == 400
    assert (await app.post("/app/api/review/nothing/1", {"action": "approve"}))[0] == 404
    assert (await app.post("/app/api/review/post/4242", {"action": "approve"}))[0] == 404
    assert (await post(app.harness, item.id)).status == "draft"


async def test_image_candidates_come_with_auth_only(app: AppClient, tmp_path: Path) -> None:
    await seed_posts(app.harness, 1)
    (tmp_path / "images" / "run-1").mkdir(parents=True)
    (tmp_path / "images" / "run-1" / "1.png").write_bytes(PNG)
    async with app.harness.bot.services.sessions.begin() as session:
        run = ImageRun(
            prompt_id="p-1", status="completed", image_prompt="candle", seed=1, batch_size=1,
            chat_id=ADMIN, requested_by=ADMIN,
        )  # fmt: skip
        session.add(run)
        await session.flush()
        session.add(ImageRunPost(run_id=run.id, post_id=1, previous_status="draft"))
        session.add(
            RunImage(
                run_id=run.id, position=1, path="images/run-1/1.png", sha256="0" * 64,
                size_bytes=len(PNG), source_name="c_1.png",
            )
        )  # fmt: skip
    body = await app.get_json("/app/api/queue")
    (image,) = body["items"][0]["images"]
    assert image["url"] == f"/app/api/images/{image['id']}"
    async with app.http.get(
        app.base + image["url"], headers={"Authorization": f"tma {signed()}"}
    ) as response:
        assert response.status == 200 and await response.read() == PNG
        assert response.content_type == "image/png"
        assert response.headers["Cache-Control"] == "no-store"
    status, _, _ = await app.get(image["url"], auth=False)
    assert status == 401
    status, _, _ = await app.get("/app/api/images/999")
    assert status == 404
    _, page, _ = await app.get("/app/api/view/queue")
    assert f'data-image="{image["id"]}"' in page and "src=" not in page.split("data-image")[1][:80]


async def test_sequence_emails_are_in_the_queue_and_on_the_calendar(app: AppClient) -> None:
    await seed_emails(app.harness, 2)
    items = await app.harness.bot.services.review_queue.items()
    emails = [item for item in items if item.kind == "sequence_email"]
    assert len(emails) == 2
    _, page, _ = await app.get("/app/api/view/queue")
    for item in emails:
        assert f'data-card="sequence_email:{item.id}"' in page
    assert "Sequence email #" in page
    first = min(item.scheduled_at for item in emails if item.scheduled_at)
    day = first.date()
    body = await app.get_json(f"/app/api/calendar?from={day}&to={day + timedelta(days=3)}")
    mails = [i for i in body["items"] if i["kind"] == "sequence_email"]
    assert mails and all(i["status"] == "draft" and not i["movable"] for i in mails)
    status, answer = await app.post(
        f"/app/api/review/sequence_email/{emails[0].id}",
        {"action": "approve", "revision": emails[0].revision},
    )
    assert status == 200, answer
    body = await app.get_json(f"/app/api/calendar?from={day}&to={day + timedelta(days=3)}")
    statuses = {i["id"]: i["status"] for i in body["items"] if i["kind"] == "sequence_email"}
    assert statuses[emails[0].id] == "scheduled"


async def test_a_decision_on_a_stale_card_is_refused_over_http(app: AppClient) -> None:
    """The page sends the status its card showed: a post approved since (its words, so its
    revision, unchanged) is not rejected by the stale card; 409 says what it is now."""
    await seed_posts(app.harness, 1)
    (item,) = await app.harness.bot.services.review_queue.items()
    await app.harness.bot.services.posts.approve(item.id, ADMIN)
    seen = {"revision": item.revision, "status": item.status}

    status, body = await app.post(f"/app/api/review/post/{item.id}", {"action": "reject", **seen})

    assert status == 409, body
    assert "changed since you opened it — it's now approved" in body["error"]
    row = await post(app.harness, item.id)
    assert (row.status, row.approved_by) == ("draft", ADMIN)

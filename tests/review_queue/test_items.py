"""ReviewQueue.items(): what /approve shows, in its order, as the Mini App reads it; and
the errors decide() raises for bad input (each one changes nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import AlreadyDecided, NotFound, ValidationFailed
from core.review_queue import QueueAction, QueueImage
from domain.crew import ItemKind
from storage.models import ImageRun, ImageRunPost, RunImage
from tests.e2e.harness import ADMIN, Harness
from tests.review_queue.support import (
    post,
    queue,
    seed_emails,
    seed_posts,
    seed_suggestion,
    suggestion,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def test_items_are_what_approve_shows_in_its_order(harness: Harness) -> None:
    await seed_posts(harness, 2)
    first = await seed_suggestion(harness, "First idea")
    await seed_suggestion(harness, "Second idea")
    await seed_emails(harness, 2)

    items = await queue(harness).items()

    assert [(item.kind, item.id) for item in items] == [
        (ItemKind.SUGGESTION, first), (ItemKind.SUGGESTION, first + 1),
        (ItemKind.POST, 1), (ItemKind.POST, 2),
        (ItemKind.SEQUENCE_EMAIL, 1), (ItemKind.SEQUENCE_EMAIL, 2),
    ]  # fmt: skip
    idea, story = items[0], items[2]
    assert (idea.title, idea.text, idea.status) == ("First idea", "Light one tonight.", "pending")
    assert idea.revision == (await suggestion(harness, first)).revision
    assert (story.title, story.persona, story.status) == ("Candle story 1", "Acme Candles", "draft")
    assert story.text == "Caption number 1: warm evenings ahead."
    assert story.revision == (await harness.bot.services.posts.get(1)).revision
    assert story.scheduled_at is not None and story.scores is None  # the crew is off
    assert not story.needs_confirmation and story.images == ()
    mail = items[4]
    assert mail.title == "Daily tips · email #1: Launch news 1" and mail.status == "pending"
    assert "part 1 of our launch story" in mail.text

    # What /approve then shows is the same: its suggestions, posts and emails.
    harness.send("/approve")
    await harness.said("2 waiting for review")
    await harness.said("2 posts waiting for approval")
    await harness.said("2 sequence emails waiting for approval")


async def test_a_post_shows_its_image_candidates_and_their_bytes(
    harness: Harness, tmp_path: Path
) -> None:
    await seed_posts(harness, 1)
    (tmp_path / "images" / "run-1").mkdir(parents=True)
    (tmp_path / "images" / "run-1" / "1.png").write_bytes(PNG)
    async with harness.bot.services.sessions.begin() as session:
        run = ImageRun(
            prompt_id="p-1", status="completed", image_prompt="candle", seed=1, batch_size=2,
            chat_id=ADMIN, requested_by=ADMIN,
        )  # fmt: skip
        session.add(run)
        await session.flush()
        session.add(ImageRunPost(run_id=run.id, post_id=1, previous_status="draft"))
        for position in (1, 2):
            session.add(RunImage(
                run_id=run.id, position=position, path=f"images/run-1/{position}.png",
                sha256="0" * 64, size_bytes=len(PNG), source_name=f"c_{position}.png",
            ))  # fmt: skip

    (item,) = await queue(harness).items()

    assert item.images == (QueueImage(1, 1, False), QueueImage(2, 1, False))
    assert await queue(harness).image(1) == (PNG, "image/png")
    assert await queue(harness).image(2) is None  # its file is gone
    assert await queue(harness).image(99) is None


async def test_bad_input_is_refused_and_changes_nothing(harness: Harness) -> None:
    await seed_posts(harness, 1)
    sid = await seed_suggestion(harness)
    q = queue(harness)
    revision = (await suggestion(harness, sid)).revision

    with pytest.raises(NotFound, match="Post #9 does not exist"):
        await q.decide(ItemKind.POST, 9, QueueAction.APPROVE, ADMIN)
    with pytest.raises(ValidationFailed):
        await q.decide(ItemKind.POST, 1, QueueAction.EDIT, ADMIN, text="  ")
    with pytest.raises(ValidationFailed):
        await q.decide(ItemKind.FLOW, 1, QueueAction.APPROVE, ADMIN)
    with pytest.raises(ValidationFailed, match="Unknown action 'publish'"):
        await q.decide(ItemKind.POST, 1, "publish", ADMIN)  # type: ignore[arg-type]
    with pytest.raises(AlreadyDecided, match="changed since it was shown"):
        await q.decide(ItemKind.POST, 1, QueueAction.APPROVE, ADMIN, revision=12345)
    with pytest.raises(AlreadyDecided):
        await q.decide(ItemKind.SUGGESTION, sid, QueueAction.REJECT, ADMIN, revision=revision + 1)

    assert (await post(harness, 1)).approved_at is None
    assert (await post(harness, 1)).caption == "Caption number 1: warm evenings ahead."
    assert (await suggestion(harness, sid)).status == "pending"


async def test_edit_then_approve_at_the_new_revision(harness: Harness) -> None:
    await seed_posts(harness, 1)
    q = queue(harness)
    (before,) = await q.items()

    edited = await q.decide(
        ItemKind.POST, 1, QueueAction.EDIT, ADMIN, text="New words", revision=before.revision
    )
    assert (edited.status, edited.message) == ("draft", "Post #1 edited ✏️")
    (after,) = await q.items()
    assert after.text == "New words" and after.revision != before.revision
    with pytest.raises(AlreadyDecided):  # the words seen before the edit
        await q.decide(ItemKind.POST, 1, QueueAction.APPROVE, ADMIN, revision=before.revision)
    approved = await q.decide(ItemKind.POST, 1, QueueAction.APPROVE, ADMIN, revision=after.revision)
    assert approved.message == "Post #1 approved ✅"
    assert (await post(harness, 1)).approved_by == ADMIN

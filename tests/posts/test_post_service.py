"""PostService on SQLite and PostgreSQL: moves, their records, approval, edits, review lists."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound, ValidationFailed
from domain.statuses import PostStatus as S
from storage.models import PostTransition
from tests.campaigns.helpers import Core, make_persona, plan_body

# How to reach each status from draft.
PATHS: dict[S, list[S]] = {
    S.DRAFT: [],
    S.AWAITING_IMAGE: [S.AWAITING_IMAGE],
    S.READY: [S.AWAITING_IMAGE, S.READY],
    S.SCHEDULED: [S.AWAITING_IMAGE, S.READY, S.SCHEDULED],
    S.PUBLISHING: [S.AWAITING_IMAGE, S.READY, S.SCHEDULED, S.PUBLISHING],
    S.PUBLISHED: [S.AWAITING_IMAGE, S.READY, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED],
    S.FAILED: [S.AWAITING_IMAGE, S.READY, S.SCHEDULED, S.PUBLISHING, S.FAILED],
    S.REJECTED: [S.REJECTED],
}


async def _campaign_posts(core: Core, posts: int = 1) -> list[int]:
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, posts), actor="api", model="api")
    return [post.id for post in created.posts]


async def _post_in(core: Core, status: S) -> int:
    (post_id,) = await _campaign_posts(core)
    for step in PATHS[status]:
        await core.posts.transition(post_id, step, actor="test")
    return post_id


async def _transitions(core: Core, post_id: int) -> list[tuple[str | None, str, str]]:
    return [(t.from_status, t.to_status, t.actor) for t in await core.posts.history(post_id)]


async def test_the_main_line_records_every_move(core: Core) -> None:
    (post_id,) = await _campaign_posts(core)
    for step in PATHS[S.PUBLISHED]:
        view = await core.posts.transition(post_id, step, actor="user:7")
        assert view.status == step
    assert await _transitions(core, post_id) == [
        (None, "draft", "api"),
        ("draft", "awaiting_image", "user:7"),
        ("awaiting_image", "ready", "user:7"),
        ("ready", "scheduled", "user:7"),
        ("scheduled", "publishing", "user:7"),
        ("publishing", "published", "user:7"),
    ]


FORBIDDEN = [
    (S.DRAFT, S.SCHEDULED),
    (S.DRAFT, S.PUBLISHED),
    (S.AWAITING_IMAGE, S.PUBLISHING),
    (S.READY, S.PUBLISHED),
    (S.SCHEDULED, S.DRAFT),
    (S.PUBLISHING, S.REJECTED),
    (S.PUBLISHED, S.DRAFT),
    (S.PUBLISHED, S.REJECTED),
    (S.FAILED, S.REJECTED),
    (S.REJECTED, S.DRAFT),
    (S.REJECTED, S.READY),
]


@pytest.mark.parametrize(("start", "target"), FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
async def test_forbidden_moves_change_nothing(core: Core, start: S, target: S) -> None:
    post_id = await _post_in(core, start)
    before = await _transitions(core, post_id)
    with pytest.raises(InvalidTransition, match=f"Post #{post_id} is {start}; it can't"):
        await core.posts.transition(post_id, target, actor="test")
    assert (await core.posts.get(post_id)).status == start
    assert await _transitions(core, post_id) == before


async def test_published_post_cannot_go_back_to_draft(core: Core) -> None:
    post_id = await _post_in(core, S.PUBLISHED)
    with pytest.raises(InvalidTransition) as caught:
        await core.posts.transition(post_id, "draft", actor="test")
    assert str(caught.value) == f"Post #{post_id} is published; it can't go back to draft"


@pytest.mark.parametrize("start", [S.DRAFT, S.AWAITING_IMAGE, S.READY, S.SCHEDULED])
async def test_reject_from_any_status_before_publishing(core: Core, start: S) -> None:
    post_id = await _post_in(core, start)
    view = await core.posts.reject(post_id, user_id=9)
    assert view.status == "rejected"
    assert (await _transitions(core, post_id))[-1] == (start.value, "rejected", "user:9")


async def test_concurrent_moves_have_one_winner(core: Core) -> None:
    post_id = await _post_in(core, S.SCHEDULED)
    results = await asyncio.gather(
        *(core.posts.transition(post_id, S.PUBLISHING, actor=f"worker:{n}") for n in range(6)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, AlreadyDecided) for r in results if r not in winners)
    moves = [t for t in await _transitions(core, post_id) if t[1] == "publishing"]
    assert len(moves) == 1


async def test_concurrent_different_moves_have_one_winner(core: Core) -> None:
    post_id = await _post_in(core, S.SCHEDULED)
    targets = [S.PUBLISHING, S.REJECTED, S.READY] * 2
    results = await asyncio.gather(
        *(core.posts.transition(post_id, t, actor="test") for t in targets),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, CopilotError) for r in results if r not in winners)
    assert len(await _transitions(core, post_id)) == 1 + 3 + 1


async def test_a_stale_expectation_is_refused(core: Core) -> None:
    post_id = await _post_in(core, S.READY)
    with pytest.raises(AlreadyDecided, match="is ready now, no longer scheduled"):
        await core.posts.transition(post_id, S.PUBLISHING, actor="t", expected=S.SCHEDULED)


async def test_same_target_twice_is_already_decided(core: Core) -> None:
    post_id = await _post_in(core, S.REJECTED)
    with pytest.raises(AlreadyDecided, match="is already rejected"):
        await core.posts.reject(post_id, user_id=1)


async def test_unknown_post(core: Core) -> None:
    with pytest.raises(NotFound, match="Post #999 does not exist"):
        await core.posts.transition(999, S.READY, actor="t")
    with pytest.raises(NotFound):
        await core.posts.approve(999, user_id=1)


async def test_approve_sets_the_flag_once(core: Core) -> None:
    post_id = await _post_in(core, S.READY)
    view = await core.posts.approve(post_id, user_id=5)
    assert (view.approved, view.approved_by, view.approved_at) == (True, 5, core.clock.now())
    assert view.status == "ready"  # a flag, not a state
    with pytest.raises(AlreadyDecided, match="already approved"):
        await core.posts.approve(post_id, user_id=6)


async def test_approving_a_text_draft_makes_it_ready_an_image_draft_stays(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, 2)
    body["posts"][0]["format"] = "text"
    created = await core.campaigns.create(body, actor="api", model="api")
    text_post, image_post = (post.id for post in created.posts)

    text_view = await core.posts.approve(text_post, user_id=5)
    image_view = await core.posts.approve(image_post, user_id=5)

    assert (text_view.status, text_view.approved) == ("ready", True)
    assert await _transitions(core, text_post) == [
        (None, "draft", "api"), ("draft", "ready", "user:5"),
    ]  # fmt: skip
    assert (image_view.status, image_view.approved) == ("draft", True)  # waits for its image


async def test_concurrent_approvals_have_one_winner(core: Core) -> None:
    post_id = await _post_in(core, S.DRAFT)
    results = await asyncio.gather(
        *(core.posts.approve(post_id, user_id=n) for n in range(5)), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, AlreadyDecided) for r in results if r not in winners)
    assert (await core.posts.get(post_id)).approved_by == winners[0].approved_by


@pytest.mark.parametrize(
    ("status", "message"),
    [(S.REJECTED, "was rejected; it can't be approved"), (S.PUBLISHED, "can't be approved any")],
)
async def test_approval_refused(core: Core, status: S, message: str) -> None:
    post_id = await _post_in(core, status)
    with pytest.raises(InvalidTransition, match=message):
        await core.posts.approve(post_id, user_id=1)


async def test_edit_caption_withdraws_the_approval(core: Core) -> None:
    post_id = await _post_in(core, S.READY)
    await core.posts.approve(post_id, user_id=5)
    view = await core.posts.edit_caption(post_id, "  Fresh words  ", user_id=5)
    assert (view.caption, view.approved) == ("Fresh words", False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("   ", "empty"), ("x" * 1020, "is 1038 characters; 1024 is the most")],
    ids=["blank", "too-long-with-hashtags"],
)
async def test_bad_caption_is_refused(core: Core, text: str, problem: str) -> None:
    post_id = await _post_in(core, S.DRAFT)
    with pytest.raises(ValidationFailed, match=problem):
        await core.posts.edit_caption(post_id, text, user_id=1)


async def test_published_caption_is_final(core: Core) -> None:
    post_id = await _post_in(core, S.PUBLISHED)
    with pytest.raises(InvalidTransition, match="is published; its caption is final"):
        await core.posts.edit_caption(post_id, "new", user_id=1)


async def test_mark_seen_keeps_the_first_time(core: Core) -> None:
    first, second = await _campaign_posts(core, posts=2)
    assert await core.posts.mark_seen([first]) == 1
    seen_at = (await core.posts.get(first)).seen_at
    core.clock.advance(minutes=5)
    assert await core.posts.mark_seen([first, second]) == 1
    assert (await core.posts.get(first)).seen_at == seen_at
    assert await core.posts.mark_seen([]) == 0


async def test_pending_review_is_unapproved_unrejected_oldest_first_paged(core: Core) -> None:
    ids = await _campaign_posts(core, posts=7)
    await core.posts.approve(ids[0], user_id=1)
    await core.posts.reject(ids[1], user_id=1)
    first = await core.posts.pending_review(offset=0, limit=3)
    second = await core.posts.pending_review(offset=3, limit=3)
    assert [p.id for p in first.items] == ids[2:5]
    assert [p.id for p in second.items] == ids[5:7]
    assert (first.total, first.has_next, second.has_next) == (5, True, False)


async def test_campaign_posts_show_whether_each_was_seen(core: Core) -> None:
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, 3), actor="api", model="api")
    other = await core.campaigns.create(plan_body(persona.id, 1), actor="api", model="api")
    await core.posts.mark_seen([created.posts[1].id])
    posts = await core.posts.campaign_posts(created.campaign.id)
    assert [p.seen for p in posts] == [False, True, False]
    assert [p.content_pillar_name for p in posts] == ["Product"] * 3
    pending = await core.posts.pending_review(campaign_id=other.campaign.id)
    assert [p.id for p in pending.items] == [other.posts[0].id]


async def test_transition_rows_are_written_with_the_move(core: Core) -> None:
    post_id = await _post_in(core, S.AWAITING_IMAGE)
    async with core.sessions() as session:
        rows = (await session.scalars(select(PostTransition).order_by(PostTransition.id))).all()
    assert [(r.post_id, r.to_status, r.at) for r in rows] == [
        (post_id, "draft", core.clock.now()),
        (post_id, "awaiting_image", core.clock.now()),
    ]

"""CrewService over SQLite and PostgreSQL: requests, runs, claims, the compliance gate."""

from __future__ import annotations

import asyncio

import pytest

from core.brands.guidelines import BrandGuidelines
from core.crew.service import GAVE_UP, MAX_ATTEMPTS, content_hash
from core.crew.types import Brief, Draft
from core.errors import LLMError, ValidationFailed
from domain.crew import ItemKind, ReviewStatus, StepName, StepState
from tests.crew.conftest import CrewFactory
from tests.crew.fakes import FixedBrands, MovableClock, RoutedLLM
from tests.pipeline.support import wait_until

S = StepName
POST = Draft(
    kind=ItemKind.POST,
    item_id=5,
    text="Our merino socks are back in stock. Come by this week and try them on!",
    hashtags=["#merino", "#socks"],
    persona_id=2,
)
CHEAP = POST.model_copy(update={"text": "Cheap socks! Come by."})
STRICT = BrandGuidelines(brand_name="Cozy Knits", prohibited_words=["cheap"])


async def test_a_request_is_pending_with_every_step_waiting(make_crew: CrewFactory) -> None:
    review = await make_crew().request(POST)
    assert review is not None
    assert (review.kind, review.item_id, review.status) == (ItemKind.POST, 5, ReviewStatus.PENDING)
    assert [(r.step, r.state) for r in review.steps] == [
        (step, StepState.WAITING) for step in (S.BRAND, S.COMPLIANCE, S.DESIGN, S.OPTIMIZER)
    ]
    assert review.report is None and not review.finished and not review.blocks_approval


async def test_the_same_content_is_reviewed_once(make_crew: CrewFactory, routed: RoutedLLM) -> None:
    crew = make_crew()
    first, again = await crew.request(POST), await crew.request(POST)
    assert first is not None and again is not None and first.id == again.id
    assert await crew.run_pending() == 1
    assert await crew.run_pending() == 0
    third = await crew.request(POST)
    assert third is not None and third.status is ReviewStatus.DONE  # no second run
    assert len(routed.requests) == 4


async def test_a_draft_without_parts_hashes_as_before_the_field_existed(
    make_crew: CrewFactory,
) -> None:
    """Reviews stored before `parts` are found again, not run a second time."""
    crew = make_crew()
    review = await crew.request(POST)
    assert review is not None
    before = {  # every field a draft had then, as model_dump wrote them
        "kind": "post", "item_id": 5, "text": POST.text, "title": "",
        "hashtags": ["#merino", "#socks"], "channel": "telegram", "persona_id": 2,
        "brand_id": None, "image_prompt": "", "brief": None,
    }  # fmt: skip
    assert review.content_hash == content_hash({"draft": before, "brand": None})
    flow = POST.model_copy(update={"kind": ItemKind.FLOW, "channel": "sms", "parts": ["a"]})
    other = await crew.request(flow)
    assert other is not None and other.content_hash != review.content_hash


async def test_new_content_is_a_new_review_and_the_latest_is_the_last_asked(
    make_crew: CrewFactory, clock: MovableClock
) -> None:
    crew = make_crew()
    first = await crew.request(POST)
    clock.advance(seconds=1)
    edited = await crew.request(CHEAP)
    assert first is not None and edited is not None and first.id != edited.id
    latest = await crew.latest(ItemKind.POST, 5)
    assert latest is not None and latest.id == edited.id
    clock.advance(seconds=1)
    await crew.request(POST)  # edited back: its first review is the current one again
    latest = await crew.latest(ItemKind.POST, 5)
    assert latest is not None and latest.id == first.id
    assert await crew.latest(ItemKind.SUGGESTION, 5) is None
    many = await crew.latest_of(ItemKind.POST, [5, 6])
    assert list(many) == [5] and many[5].id == first.id


async def test_a_changed_brand_is_a_new_review_of_the_same_text(
    make_crew: CrewFactory, brands: FixedBrands
) -> None:
    crew = make_crew()
    before = await crew.request(POST)
    brands.brand = STRICT
    after = await crew.request(POST)
    assert before is not None and after is not None and before.id != after.id


async def test_a_run_stores_the_report_and_its_cost(make_crew: CrewFactory) -> None:
    crew = make_crew()
    requested = await crew.request(POST)
    assert requested is not None
    await crew.run_pending()
    review = await crew.get(requested.id)
    assert review is not None and review.status is ReviewStatus.DONE and review.finished
    assert review.report is not None and review.report.scores.brand_alignment == 84
    assert review.cost_microusd == review.report.cost_microusd == 800
    assert {r.state for r in review.steps} == {StepState.DONE}


async def test_the_crew_is_off_globally_or_for_a_brand(
    make_crew: CrewFactory, brands: FixedBrands
) -> None:
    assert await make_crew(enabled=False).request(POST) is None
    brands.brand = STRICT.model_copy(update={"crew_enabled": False})
    crew = make_crew()
    assert await crew.request(POST) is None
    assert await crew.latest(ItemKind.POST, 5) is None


async def test_a_brand_picked_by_id_wins_over_the_persona(
    make_crew: CrewFactory, brands: FixedBrands, routed: RoutedLLM
) -> None:
    brands.brand = STRICT
    brands.by_id[9] = BrandGuidelines(brand_name="Picked", crew_enabled=True)
    crew = make_crew()
    await crew.request(POST.model_copy(update={"brand_id": 9}))
    await crew.run_pending()
    assert "Brand: Picked" in routed.request_for(S.BRAND).messages[0].content


async def test_a_draft_without_text_is_refused(make_crew: CrewFactory) -> None:
    with pytest.raises(ValidationFailed, match="no text for the review crew"):
        await make_crew().request(POST.model_copy(update={"text": "  "}))


async def test_the_compliance_gate_holds_until_one_person_confirms(
    make_crew: CrewFactory, brands: FixedBrands
) -> None:
    brands.brand = STRICT
    crew = make_crew()
    await crew.request(CHEAP)
    assert not await crew.blocks_approval(ItemKind.POST, 5)  # still running: never held
    await crew.run_pending()
    review = await crew.latest(ItemKind.POST, 5)
    assert review is not None and review.report is not None and review.report.compliance_failed
    assert await crew.blocks_approval(ItemKind.POST, 5)
    taps = await asyncio.gather(
        crew.confirm_compliance(ItemKind.POST, 5, admin_id=111),
        crew.confirm_compliance(ItemKind.POST, 5, admin_id=222),
    )
    assert sorted(taps) == [False, True]  # two admins at once: one confirmation
    assert not await crew.blocks_approval(ItemKind.POST, 5)
    confirmed = await crew.latest(ItemKind.POST, 5)
    assert confirmed is not None and confirmed.compliance_confirmed_by in (111, 222)
    assert confirmed.compliance_confirmed_at is not None


async def test_nothing_to_confirm_without_a_failure(make_crew: CrewFactory) -> None:
    crew = make_crew()
    assert not await crew.confirm_compliance(ItemKind.POST, 5, admin_id=1)
    await crew.request(POST)
    await crew.run_pending()
    assert not await crew.confirm_compliance(ItemKind.POST, 5, admin_id=1)


async def test_two_replicas_run_each_review_once(make_crew: CrewFactory, routed: RoutedLLM) -> None:
    first, second = make_crew(), make_crew()
    for item_id in (1, 2, 3):
        await first.request(POST.model_copy(update={"item_id": item_id}))
    ran = await asyncio.gather(first.run_pending(), second.run_pending())
    assert sum(ran) == 3
    assert len(routed.requests) == 3 * 4
    reviews = await first.latest_of(ItemKind.POST, [1, 2, 3])
    assert {review.status for review in reviews.values()} == {ReviewStatus.DONE}


async def test_progress_is_stored_while_the_crew_works(
    make_crew: CrewFactory, routed: RoutedLLM
) -> None:
    routed.gates[S.DESIGN] = asyncio.Event()
    crew = make_crew()
    crew.start()  # runs requests in this process at once, as the bot does
    review = await crew.request(POST)
    assert review is not None

    async def reviewers_told() -> bool:
        now = await crew.get(review.id)
        assert now is not None
        states = {r.step: r.state for r in now.steps}
        return states[S.BRAND] is StepState.DONE and states[S.DESIGN] is StepState.RUNNING

    await wait_until(reviewers_told, within=5)
    running = await crew.get(review.id)
    assert running is not None and running.status is ReviewStatus.RUNNING
    routed.gates[S.DESIGN].set()
    done = await crew.wait(review.id, timeout_s=5, poll_s=0.05)
    assert done is not None and done.status is ReviewStatus.DONE
    await crew.stop()


async def test_wait_returns_the_review_as_it_stands_when_time_runs_out(
    make_crew: CrewFactory,
) -> None:
    crew = make_crew()
    review = await crew.request(POST)
    assert review is not None
    waited = await crew.wait(review.id, timeout_s=0.1, poll_s=0.02)
    assert waited is not None and waited.status is ReviewStatus.PENDING


async def test_a_stopped_run_is_handed_back_and_run_by_the_next_worker(
    make_crew: CrewFactory, routed: RoutedLLM
) -> None:
    routed.gates[S.BRAND] = asyncio.Event()
    stopping = make_crew()
    stopping.start()
    review = await stopping.request(POST)
    assert review is not None

    async def brand_asked() -> bool:
        return S.BRAND in routed.started

    await wait_until(brand_asked, within=5)
    await stopping.stop()
    handed_back = await stopping.get(review.id)
    assert handed_back is not None and handed_back.status is ReviewStatus.RUNNING
    routed.gates.clear()
    assert await make_crew().run_pending() == 1  # no lease to wait out
    done = await stopping.get(review.id)
    assert done is not None and done.status is ReviewStatus.DONE


async def test_a_run_cut_off_by_a_crash_is_taken_over_once_its_lease_lapses(
    make_crew: CrewFactory, routed: RoutedLLM, clock: MovableClock
) -> None:
    routed.gates[S.BRAND] = asyncio.Event()
    crashed = make_crew()
    crashed.start()
    review = await crashed.request(POST)
    assert review is not None

    async def brand_asked() -> bool:
        return S.BRAND in routed.started

    await wait_until(brand_asked, within=5)
    # The process "dies": its task is gone, its claim stays.
    for task in list(crashed._tasks.values()):
        task.cancel()
    await crashed.idle()
    routed.gates.clear()
    other = make_crew()
    assert await other.run_pending() == 0  # the lease is live
    clock.advance(seconds=5 * 3 + 31)
    assert await other.run_pending() == 1


async def test_runs_that_keep_dying_fail_after_three_attempts(
    make_crew: CrewFactory, routed: RoutedLLM, clock: MovableClock
) -> None:
    routed.gates[S.BRAND] = asyncio.Event()
    review = await make_crew().request(POST)
    assert review is not None
    for _ in range(MAX_ATTEMPTS):
        worker = make_crew()
        worker.start()
        await worker.sweep()

        async def claimed(w: object = worker) -> bool:
            return bool(getattr(w, "_tasks", None)) and S.BRAND in routed.started

        await wait_until(claimed, within=5)
        for task in list(worker._tasks.values()):
            task.cancel()
        await worker.idle()
        routed.started.clear()
        clock.advance(minutes=5)
    await make_crew().sweep()
    failed = await make_crew().get(review.id)
    assert failed is not None and failed.status is ReviewStatus.FAILED and failed.error == GAVE_UP


async def test_a_failed_creator_fails_the_review_with_a_reason(
    make_crew: CrewFactory, routed: RoutedLLM
) -> None:
    routed.answers[S.CREATOR] = LLMError("The model is not reachable.")
    crew = make_crew()
    item = Draft(kind=ItemKind.CONTENT, item_id=1, brief=Brief(campaign_brief="Socks are back"))
    review = await crew.request(item)
    assert review is not None and review.steps[0].step is S.CREATOR
    await crew.run_pending()
    failed = await crew.get(review.id)
    assert failed is not None and failed.status is ReviewStatus.FAILED
    assert (
        failed.error == "The creator could not write from this brief: The model is not reachable."
    )
    assert (failed.steps[0].step, failed.steps[0].state) == (S.CREATOR, StepState.SKIPPED)
    assert {r.reason for r in failed.steps[1:]} == {"nothing to review: the creator wrote no draft"}


async def test_again_reruns_a_finished_review(make_crew: CrewFactory, routed: RoutedLLM) -> None:
    crew = make_crew()
    await crew.request(POST)
    await crew.run_pending()
    rerun = await crew.request(POST, again=True)
    assert rerun is not None and rerun.status is ReviewStatus.PENDING and rerun.report is None
    assert await crew.run_pending() == 1
    assert len(routed.requests) == 8


async def test_asking_again_for_the_current_review_writes_nothing(
    make_crew: CrewFactory, clock: MovableClock
) -> None:
    """Cards ask on every redraw: the usual answer must be reads only."""
    crew = make_crew()
    first = await crew.request(POST)
    await crew.run_pending()
    done = await crew.get(first.id if first else 0)
    assert done is not None
    clock.advance(seconds=30)
    again = await crew.request(POST)
    assert again is not None and again.updated_at == done.updated_at

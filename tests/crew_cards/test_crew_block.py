"""How a crew review reads on a card: progress, scores, the red compliance line, bounds."""

from __future__ import annotations

from datetime import UTC, datetime

from core.crew.orchestrator import skipped_feedback
from core.crew.types import CrewReview, DesignAdvice, StepReport
from core.posts.crew_gate import OFF, CrewState
from domain.crew import ItemKind, ReviewStatus, StepName, StepState
from handlers.common.crew_block import (
    MAX_LINES,
    card_block,
    confirm_keyboard,
    crew_rows,
    progress_line,
    room_for,
)
from tests.crew_cards.fakes import report
from tests.doubles.telegram_spec import render_text

AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _review(status: ReviewStatus, steps: list[StepReport], **fields: object) -> CrewReview:
    return CrewReview(
        id=1, kind=ItemKind.POST, item_id=7, content_hash="h", status=status, steps=steps,
        created_at=AT, updated_at=AT, **fields,
    )  # fmt: skip


def test_progress_ticks_each_step_by_its_state() -> None:
    steps = [
        StepReport(step=StepName.BRAND, state=StepState.DONE),
        StepReport(step=StepName.COMPLIANCE, state=StepState.RUNNING),
        StepReport(step=StepName.DESIGN, state=StepState.SKIPPED, reason="timed out"),
        StepReport(step=StepName.OPTIMIZER, state=StepState.WAITING),
    ]
    line = progress_line(steps)
    assert line.endswith("✅ Brand · ⏳ Compliance · ⏭ Design · ▫️ Optimizer")
    stopped = card_block(CrewState(_review(ReviewStatus.RUNNING, steps), 70), stopped=True)
    assert "still working" in stopped


def test_scores_cost_feedback_and_the_red_compliance_line() -> None:
    done = report(40, rewrite="Better words.", compliance_failed=True)
    html = card_block(CrewState(_review(ReviewStatus.DONE, done.steps, report=done), 70))
    assert "$0.0012" in html
    assert "Brand 80 · Compliance 30 🔴 · Readability 70 · <b>Overall 40</b>" in html
    assert "🔴 <b>Compliance failed.</b>" in html
    assert "&quot;cheap&quot; is not our word" in html  # the finding, escaped
    assert "Brand manager: warmer, please" in html and "bar of 70" in html
    closed = card_block(CrewState(_review(ReviewStatus.DONE, done.steps, report=done), 70),
                        open_=False)  # fmt: skip
    assert "bar of 70" not in closed  # a decided item is offered no rewrite


def test_a_confirmed_failure_says_so_and_a_failed_run_says_why() -> None:
    done = report(40, compliance_failed=True)
    confirmed = _review(ReviewStatus.DONE, done.steps, report=done,
                        compliance_confirmed_by=5, compliance_confirmed_at=AT)  # fmt: skip
    assert "checked and accepted by a person" in card_block(CrewState(confirmed, 70))
    failed = _review(ReviewStatus.FAILED, [], error="the model <timed> out")
    assert card_block(CrewState(failed, 70)) == (
        "⚠️ The review crew couldn't review this draft: the model &lt;timed&gt; out"
    )
    assert card_block(OFF) == ""


def test_many_long_lines_stay_bounded_and_valid_html() -> None:
    noisy = report(50).model_copy(update={"agent_feedback": ["<b>" + "x" * 900] * 30})
    html = card_block(CrewState(_review(ReviewStatus.DONE, noisy.steps, report=noisy), 70))
    assert "… and 22 more" in html and html.count("\n") <= MAX_LINES + 4
    assert len(html) < 2000
    render_text(html, "HTML")  # Telegram's parser accepts it


def test_buttons_ride_on_the_card_prefix_within_64_bytes() -> None:
    low = report(40, rewrite="Better.")
    state = CrewState(_review(ReviewStatus.DONE, low.steps, report=low), 70)
    [[button]] = crew_rows("pst", 12345678, 4294967295, state)
    assert button.callback_data == "pst:ow:12345678:4294967295"
    assert crew_rows("pst", 1, 1, CrewState(state.review, 30)) == []  # over the bar
    keyboard = confirm_keyboard("s", 3, 2).inline_keyboard
    assert [b.callback_data for row in keyboard for b in row] == ["s:ac:3:2", "s:bk:3:2"]


def test_a_full_card_makes_room_by_dropping_details_never_by_cutting_a_tag() -> None:
    done = report(40, rewrite="Better.", compliance_failed=True)
    state = CrewState(_review(ReviewStatus.DONE, done.steps, report=done), 70)
    whole = card_block(state)
    tight = card_block(state, budget=len(whole) - 1)
    assert "Brand manager: warmer, please" not in tight  # the last detail went first
    assert "Compliance failed" in tight and tight.endswith("optimizer's rewrite.</i>")
    render_text(tight, "HTML")
    assert card_block(state, budget=40) == ""  # no room even for the scores: left out
    assert room_for("x" * 4000) == 94 and room_for("x" * 5000) == 0


# -- the design advisor's advice ----------------------------------------------------------

ADVICE = DesignAdvice(
    image_types=["product close-up", "flat <lay>"],
    palette=["#7A4E2D", "#F2E8DC"],
    layout="Socks centred, soft light & a wooden table.",
    image_prompts=["Merino socks on oak, morning light", "Socks on feet by a fire"],
)


def _designed(advice: DesignAdvice | None, **update: object) -> CrewState:
    done = report(40, rewrite="Better.", compliance_failed=True)
    done = done.model_copy(update={"design": advice, **update})
    return CrewState(_review(ReviewStatus.DONE, done.steps, report=done), 70)


def test_design_advice_reads_after_the_findings_escaped_with_tap_to_copy_colours() -> None:
    html = card_block(_designed(ADVICE))
    lines = html.split("\n")
    design = lines.index(
        "🎨 <b>Design:</b> product close-up, flat &lt;lay&gt; · "
        "<code>#7A4E2D</code> <code>#F2E8DC</code>"
    )
    assert lines[design + 1] == "<i>Layout:</i> Socks centred, soft light &amp; a wooden table."
    assert lines[design + 2] == "🖼 <i>Image prompt idea:</i> Merino socks on oak, morning light"
    assert lines[design - 1].startswith("🔴 &quot;cheap&quot;")  # the finding comes first
    assert lines[design + 3] == "• Brand manager: warmer, please"  # feedback after it
    render_text(html, "HTML")
    assert "🎨" not in card_block(_designed(None))  # the design step was skipped or absent
    only_layout = card_block(_designed(DesignAdvice(layout="Centred.")))
    assert "<i>Layout:</i> Centred." in only_layout and "<b>Design:</b>" not in only_layout


def test_short_of_room_the_design_goes_after_the_feedback_and_before_the_findings() -> None:
    state = _designed(ADVICE)
    whole = card_block(state)
    feedback_gone = card_block(state, budget=len(whole) - 1)
    assert "warmer, please" not in feedback_gone and "Image prompt idea" in feedback_gone
    prompt_gone = card_block(state, budget=len(feedback_gone) - 1)
    assert "Image prompt idea" not in prompt_gone and "Layout" in prompt_gone
    design_gone = card_block(state, budget=len(prompt_gone) - 90)
    assert "🎨" not in design_gone and "&quot;cheap&quot;" in design_gone
    for block in (feedback_gone, prompt_gone, design_gone):
        render_text(block, "HTML")


def test_the_longest_advice_keeps_a_full_post_card_under_telegrams_limit() -> None:
    long = DesignAdvice(
        image_types=["x" * 300] * 3, palette=["#ABCDEF"] * 6, layout="<i>" * 200,
        image_prompts=["& " * 500],
    )  # fmt: skip
    card = "c" * 3300
    block = card_block(_designed(long), budget=room_for(card))
    assert block and len(card) + 2 + len(block) <= 4096
    render_text(block, "HTML")
    shown = render_text(card_block(_designed(long)), "HTML").text  # what a person reads
    design = [line for line in shown.split("\n") if "Design:" in line or "Layout:" in line]
    assert len(design) == 2 and all(len(line) < 300 for line in design)  # each line clipped


def test_a_skipped_step_is_said_once_not_again_among_the_feedback() -> None:
    skipped = StepReport(step=StepName.DESIGN, state=StepState.SKIPPED, reason="timed out")
    done = report(60)
    steps = [*done.steps[:-1], skipped]
    noisy = done.model_copy(
        update={"steps": steps, "agent_feedback": [*done.agent_feedback, skipped_feedback(skipped)]}
    )
    html = card_block(CrewState(_review(ReviewStatus.DONE, steps, report=noisy), 70))
    assert html.count("timed out") == 1
    assert "⏭ Design skipped: timed out" in html and "Brand manager: warmer, please" in html

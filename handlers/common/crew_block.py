"""The review crew on a card: live progress while it works, then its scores and findings.

Every card that carries a crew review (posts, suggestions, reply drafts, sequence emails)
renders it with these functions, so the block reads the same everywhere:

    🧪 Review crew: ✅ Brand · ⏳ Compliance · ▫️ Design · ▫️ Optimizer      (while working)

    🧪 Review crew · $0.0012                                                 (when done)
    Brand 82 · Compliance 40 · Readability 75 · Overall 64
    🔴 Compliance failed: …
    🔴/🟡 each finding
    🎨 Design: product close-up, lifestyle · #7A4E2D #F2E8DC                (design advice)
    Layout: … / 🖼 Image prompt idea: …
    • each step's feedback line

Everything the model wrote is HTML-escaped; the block is bounded so a card stays under
Telegram's 4096 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup

from core.crew.orchestrator import skipped_feedback
from core.crew.types import CrewReport, DesignAdvice, StepReport
from core.llm.budget import format_usd, from_micro
from core.posts.crew_gate import CrewState
from domain.crew import ReviewStatus, StepName, StepState
from handlers.common.keyboards import CallbackKey

HEADER = "🧪 Review crew"
STEP_SHORT: dict[StepName, str] = {
    StepName.CREATOR: "Creator",
    StepName.BRAND: "Brand",
    StepName.COMPLIANCE: "Compliance",
    StepName.DESIGN: "Design",
    StepName.OPTIMIZER: "Optimizer",
}
STATE_ICON: dict[StepState, str] = {
    StepState.WAITING: "▫️",
    StepState.RUNNING: "⏳",
    StepState.DONE: "✅",
    StepState.SKIPPED: "⏭",
}
COMPLIANCE_FAILED = (
    "🔴 <b>Compliance failed.</b> Fix the draft, or check it yourself and approve anyway."
)
COMPLIANCE_CONFIRMED = "☑️ Compliance problems checked and accepted by a person."
DESIGN_HEADER = "🎨 <b>Design:</b>"
REWRITE_OFFER = (
    "Overall is under this brand's bar of {threshold}: ✨ applies the optimizer's rewrite."
)
FAILED = "⚠️ The review crew couldn't review this draft: {reason}"
STOPPED = "🧪 Review crew still working; the scores show when you open this card again."
# Lines of feedback and findings shown at most; the rest are counted.
MAX_LINES = 8
MAX_LINE = 220
MAX_BLOCK = 2500
MAX_TEXT = 4096  # a Telegram message


def progress_line(steps: Sequence[StepReport]) -> str:
    """One line, each step's name behind its state: the card is edited as they finish."""
    parts = [f"{STATE_ICON[step.state]} {STEP_SHORT[step.step]}" for step in steps]
    return f"<b>{HEADER}:</b> " + " · ".join(parts) if parts else f"<b>{HEADER}:</b> starting…"


def scores_line(report: CrewReport) -> str:
    s = report.scores
    compliance = f"{s.compliance}{' 🔴' if report.compliance_failed else ''}"
    return (
        f"Brand {s.brand_alignment} · Compliance {compliance} · "
        f"Readability {s.readability} · <b>Overall {s.overall_quality}</b>"
    )


def report_block(
    report: CrewReport,
    *,
    threshold: int | None = None,
    confirmed: bool = False,
    budget: int = MAX_BLOCK,
) -> str:
    """The finished review: scores, cost, the compliance verdict, findings, feedback, skips.

    `threshold` is the brand's quality bar: under it, the card says the rewrite is offered
    (the button itself is the card's: only an item that can still change gets it).
    `budget` is what the card has room for: details go first, from the last one up. Every
    line closes its own tags, so dropping whole lines never leaves broken HTML.
    """
    head = [f"<b>{HEADER}</b> · {cost_text(report.cost_microusd)}", scores_line(report)]
    if report.compliance_failed:
        head.append(COMPLIANCE_CONFIRMED if confirmed else COMPLIANCE_FAILED)
    details = _details(report)
    tail = []
    if offers_rewrite(report, threshold):
        tail.append(f"<i>{REWRITE_OFFER.format(threshold=threshold)}</i>")
    while details and _size(head + details + tail) > budget:
        details.pop()
    return _within("\n".join(head + details + tail), budget)


def offers_rewrite(report: CrewReport | None, threshold: int | None) -> bool:
    """✨ Apply optimizer rewrite: the overall score is under the bar and there is a rewrite."""
    if report is None or threshold is None or not report.rewrite:
        return False
    return report.scores.overall_quality < threshold


def failed_block(reason: str) -> str:
    return FAILED.format(reason=escape(_clip(reason)))


def cost_text(microusd: int) -> str:
    return f"${format_usd(from_micro(microusd))}"


def _details(report: CrewReport) -> list[str]:
    """Findings, then the design advice, then feedback, then skipped steps.

    The card drops details from the last up when it is short of room, so this order is also
    what survives longest: a compliance finding outlives the design advice, which outlives
    the crew's feedback lines.
    """
    findings, feedback = _finding_lines(report), _feedback_lines(report)
    lines = _bounded(findings + feedback)
    # After the findings shown (and the "… and N more" line when findings alone overflow).
    cut = len(findings) if len(findings) <= MAX_LINES else len(lines)
    return lines[:cut] + design_lines(report.design) + lines[cut:] + _skipped_lines(report.steps)


def design_lines(advice: DesignAdvice | None) -> list[str]:
    """The design advisor's advice in up to three lines, most useful first: what kind of
    picture and which colours (hex codes as <code>, one tap copies them), the layout, and
    the first image prompt it proposes (what "🎨 Use design image prompt" would set)."""
    if advice is None:
        return []
    parts = []
    kinds = ", ".join(kind.strip() for kind in advice.image_types if kind.strip())
    if kinds:
        parts.append(escape(_clip(kinds)))
    if advice.palette:
        parts.append(" ".join(f"<code>{escape(color)}</code>" for color in advice.palette))
    lines = [f"{DESIGN_HEADER} {' · '.join(parts)}"] if parts else []
    if advice.layout.strip():
        lines.append(f"<i>Layout:</i> {escape(_clip(advice.layout))}")
    prompts = [prompt for prompt in advice.image_prompts if prompt.strip()]
    if prompts:
        lines.append(f"🖼 <i>Image prompt idea:</i> {escape(_clip(prompts[0]))}")
    return lines


def _finding_lines(report: CrewReport) -> list[str]:
    return [
        f"{'🔴' if finding.blocking else '🟡'} {escape(_clip(finding.message))}"
        for finding in report.findings
    ]


def _feedback_lines(report: CrewReport) -> list[str]:
    """The crew's feedback lines, less the "<step>: skipped (why)" ones `agent_feedback`
    carries for API clients: the card says that once, in its ⏭ lines."""
    skipped = {skipped_feedback(step) for step in report.steps if step.state == StepState.SKIPPED}
    return [
        f"• {escape(_clip(line))}"
        for line in report.agent_feedback
        if line.strip() and line not in skipped
    ]


def _skipped_lines(steps: Sequence[StepReport]) -> list[str]:
    return [
        f"⏭ {STEP_SHORT[step.step]} skipped: {escape(_clip(step.reason or 'no reason given'))}"
        for step in steps
        if step.state == StepState.SKIPPED
    ]


def _bounded(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more"]


def _size(lines: list[str]) -> int:
    return len("\n".join(lines))


def _within(block: str, budget: int) -> str:
    """A block the card has no room for is left out rather than cut mid-tag."""
    return block if len(block) <= budget else ""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


# -- the block and buttons for a card, from core's CrewState -------------------------------

REWRITE, CONFIRM, BACK = "ow", "ac", "bk"  # actions on the card's own callback prefix
REWRITE_BUTTON = "✨ Apply optimizer rewrite"
CONFIRM_BUTTON = "✅ Approve anyway — I checked it"
BACK_BUTTON = "↩️ Not yet"
CONFIRM_QUESTION = "🔴 Approve anyway? Only if you checked the compliance findings above."


def card_block(
    state: CrewState, *, stopped: bool = False, open_: bool = True, budget: int = MAX_BLOCK
) -> str:
    """What a card shows of its crew review; "" when the crew is off for it.

    `open_=False` for an item whose words are final: no rewrite is offered any more.
    `budget`: the characters the card has left (see room_for).
    """
    review = state.review
    if review is None:
        return ""
    if review.status == ReviewStatus.FAILED:
        return _within(failed_block(review.error or "no reason given"), budget)
    if review.report is not None:
        confirmed = review.compliance_confirmed_by is not None
        threshold = state.threshold if open_ else None
        return report_block(review.report, threshold=threshold, confirmed=confirmed, budget=budget)
    line = progress_line(review.steps)
    return _within(f"{line}\n<i>{STOPPED}</i>" if stopped else line, budget)


def room_for(card_without_crew: str) -> int:
    """What is left of Telegram's 4096 characters under a card (and the blank line before
    the block), so the crew block never pushes the card over and gets cut mid-tag."""
    return max(0, min(MAX_BLOCK, MAX_TEXT - len(card_without_crew) - 2))


def crew_rows(kind: str, item_id: int, revision: int, state: CrewState) -> list[list[Button]]:
    """The ✨ row under an editable card whose review offers the optimizer's rewrite."""
    if state.rewrite is None:
        return []
    key = CallbackKey(kind, REWRITE, item_id, revision).encode()
    return [[Button(REWRITE_BUTTON, callback_data=key)]]


def confirm_keyboard(kind: str, item_id: int, revision: int) -> InlineKeyboardMarkup:
    """Asked when Approve meets an unconfirmed compliance failure."""
    confirm = CallbackKey(kind, CONFIRM, item_id, revision).encode()
    back = CallbackKey(kind, BACK, item_id, revision).encode()
    return InlineKeyboardMarkup(
        [[Button(CONFIRM_BUTTON, callback_data=confirm)], [Button(BACK_BUTTON, callback_data=back)]]
    )


def with_rows(
    markup: InlineKeyboardMarkup | None, rows: list[list[Button]]
) -> InlineKeyboardMarkup | None:
    """`markup` with `rows` added under it (a card's own buttons first)."""
    if not rows:
        return markup
    existing = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup(existing + rows)

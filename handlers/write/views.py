"""How /write reads in Telegram. Everything the person or the model wrote is HTML-escaped.

The result card shows the text, then the crew's verdict (handlers.common.crew_block, as on
every other card). A long text (a blog post) is shown up to what fits in one message,
with a pointer to ⬇️ Download .txt for the whole of it; nothing is ever cut in the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from core.content.views import ContentView
from core.crew.types import DesignAdvice
from domain.content import CONTENT_TYPE_LABELS, ContentStatus
from handlers.common.crew_block import progress_line, report_block
from handlers.common.steps import Step
from handlers.common.views import MAX_TEXT, fit
from handlers.write.steps import TOTAL_STEPS

CUT = "\n<i>… the whole text is in ⬇️ Download .txt</i>"
MAX_BRIEF_SHOWN = 300


def step_question(step: Step, *, first: bool = False) -> str:
    head = f"<i>Step {step.number} of {TOTAL_STEPS}</i>\n"
    tail = "\n\n/cancel to stop." if first else ""
    return head + step.question + tail


def answered(step: Step, value: str) -> str:
    return f"{escape(step.label)}: {escape(value[:200])} ✓"


def progress_text(view: ContentView) -> str:
    return "\n".join([_head(view), "", progress_line(view.steps),
                      "", "<i>I'll update this message as each step finishes.</i>"])  # fmt: skip


def result_text(view: ContentView, *, threshold: int | None = None) -> str:
    if view.status == ContentStatus.PROCESSING:
        return progress_text(view)
    if view.status == ContentStatus.FAILED:
        reason = escape(_clip(view.error, 600))
        then = (f"🔁 Tried again as #{view.retry_id}." if view.retry_id is not None
                else "Tap 🔁 Try again to ask the crew once more.")  # fmt: skip
        return "\n".join([_head(view), "", f"⚠️ The crew couldn't write it: {reason}", then])
    verdict = _verdict(view, threshold)
    head = _head(view) + "\n\n"
    room = MAX_TEXT - len(head) - len(verdict) - len(CUT) - 4
    return fit(head + _body(view, room) + "\n\n" + verdict)


def content_list(views: Sequence[ContentView]) -> str:
    if not views:
        return "Nothing written yet. Tap ✍️ to write something from a brief."
    lines = ["<b>✍️ Written from a brief</b> (newest first)"]
    lines += [f"• #{v.id} {escape(_label(v))} — {_status(v)}" for v in views]
    return "\n".join(lines)


def list_label(view: ContentView) -> str:
    return f"#{view.id} {_label(view)}"


def _head(view: ContentView) -> str:
    kind = CONTENT_TYPE_LABELS[view.brief.content_type]
    brand = f" · {escape(view.brand_name)}" if view.brand_name else " · no brand guidelines"
    brief = escape(_clip(view.brief.campaign_brief, MAX_BRIEF_SHOWN))
    audience = escape(_clip(view.brief.target_audience, 120))
    return f"<b>✍️ {kind} #{view.id}</b>{brand}\n<i>Brief:</i> {brief}\n<i>For:</i> {audience}"


def _body(view: ContentView, room: int) -> str:
    title = f"<b>{escape(view.title)}</b>\n\n" if view.title else ""
    tags = f"\n\n{escape(' '.join(view.hashtags))}" if view.hashtags else ""
    text = escape(view.content)
    if len(title) + len(text) + len(tags) <= room:
        return title + text + tags
    return title + _escaped_prefix(view.content, room - len(title) - len(CUT)) + CUT


def _escaped_prefix(text: str, room: int) -> str:
    """The longest start of `text` whose escaped form fits in `room`: the plain text is cut,
    never the HTML, so no entity is split."""
    used = 0
    for end, char in enumerate(text):
        used += len(escape(char))
        if used > room:
            return escape(text[:end].rstrip())
    return escape(text)


def _verdict(view: ContentView, threshold: int | None) -> str:
    report = view.report
    if report is None:
        return ""
    lines = [report_block(report, threshold=None)]
    if report.design is not None:
        lines.append(_design(report.design))
    if threshold is not None and report.scores.overall_quality < threshold:
        lines.append(f"<i>Under this brand's bar of {threshold}: read it closely before "
                     "you use it.</i>")  # fmt: skip
    if view.post_id is not None:
        lines.append(f"📣 Saved as draft post #{view.post_id}: approve it in /approve.")
    return "\n".join(lines)


def _design(design: DesignAdvice) -> str:
    bits = []
    if design.image_types:
        bits.append("images: " + ", ".join(design.image_types[:3]))
    if design.palette:
        bits.append("palette " + " ".join(design.palette[:5]))
    if design.layout:
        bits.append("layout: " + design.layout)
    return "🎨 " + escape(_clip("; ".join(bits), 400)) if bits else ""


def _label(view: ContentView) -> str:
    return f"{CONTENT_TYPE_LABELS[view.brief.content_type]}: {_clip(view.brief.campaign_brief, 40)}"


def _status(view: ContentView) -> str:
    if view.status == ContentStatus.COMPLETED and view.report is not None:
        return f"overall {view.report.scores.overall_quality}"
    return {"processing": "⏳ writing", "failed": "⚠️ failed"}.get(view.status.value, "done")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

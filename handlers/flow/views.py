"""/flow as Telegram messages: the card's short summary, the list, the exported file's name.

A shop owner reads the card on a phone: what the flow does in one glance (its steps by
kind, how many texts a customer can get and what they cost in segments), what was fixed
automatically, and what the model cost. The diagram and the JSON come as their own
messages; the card says when the picture could not be drawn, and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from core.flows.views import FlowSummary, FlowVersionView, FlowView
from domain.flow_status import FlowStatus

MAX_DESCRIPTION_SHOWN = 300
MAX_FIRST_SMS_SHOWN = 300
MAX_CORRECTIONS_SHOWN = 3
STATUS = {
    FlowStatus.DRAFT: "📝 draft",
    FlowStatus.APPROVED: "✅ approved",
    FlowStatus.REJECTED: "🗑 rejected",
}
DECIDED = {FlowStatus.APPROVED: "✅ Approved", FlowStatus.REJECTED: "🗑 Rejected"}
# Step kinds in words, in the order a reader meets them; anything else by its own name.
KIND_WORDS = {
    "message": ("message", "messages"),
    "delay": ("wait", "waits"),
    "schedule": ("schedule", "schedules"),
    "segment": ("audience check", "audience checks"),
    "reply": ("reply point", "reply points"),
    "no_reply": ("no-reply check", "no-reply checks"),
    "purchase_offer": ("purchase offer", "purchase offers"),
    "purchase": ("purchase check", "purchase checks"),
    "product_choice": ("product choice", "product choices"),
    "experiment": ("A/B test", "A/B tests"),
    "split": ("split", "splits"),
    "property": ("property update", "property updates"),
    "rate_limit": ("rate limit", "rate limits"),
    "limit": ("limit", "limits"),
    "end": ("end", "ends"),
}
GENERATING = "⏳ Designing your SMS flow… this takes a few seconds."
REGENERATING = (
    "⏳ Designing version {version} of SMS flow #{flow_id}… this takes a few seconds.\n"
    "<i>Should a restart cut it off, /flow opens the flow again: nothing is lost.</i>"
)
DESCRIBE = (
    "📱 <b>Describe the SMS flow you want</b>, in one or two sentences: who gets it, what "
    "it offers, what happens when they answer or buy.\n"
    "<i>e.g. /flow Win back lapsed VIP customers with a 15% discount</i>"
)


def card(
    view: FlowView, *, diagram_note: str | None = None, note: str | None = None,
    decided: str | None = None, crew: str = "",
) -> str:  # fmt: skip
    """The card: header, who decided it (`decided`), description, steps, first SMS, fixes,
    cost, the review crew's block (`crew`, sized by the caller with crew_block.room_for),
    then `note` (≤ 4096 by construction: every free text on it is clipped)."""
    current = view.current
    steps: Sequence[Mapping[str, Any]] = current.flow.get("steps", [])
    parts = [
        _header(view),
        decided,
        f"<i>{escape(_clip(view.description, MAX_DESCRIPTION_SHOWN))}</i>",
        "",
        _step_counts(steps),
        _segments(steps),
        _first_sms(current.flow, steps),
        _fixes(current.corrections, current.repairs),
        _cost(current),
    ]
    if view.approved_version is not None and view.approved_version != current.version:
        parts.append(f"✅ Version {view.approved_version} is the approved one.")
    if diagram_note:
        parts.append(f"🖼 No diagram: {escape(diagram_note)}")
    if crew:
        parts += ["", crew]
    if note:
        parts.append(note)
    return "\n".join(part for part in parts if part is not None)


def decided(view: FlowView, name: str | None, tz: ZoneInfo) -> str | None:
    """The line under a decided version's header, "🗑 Rejected by Ann · 7 Dec, 14:02": the
    name when the card is drawn for the tap itself, else the admin's id (all that is kept)."""
    if view.status == FlowStatus.DRAFT or view.decided_at is None:
        return None
    who = name or (f"admin {view.decided_by}" if view.decided_by is not None else None)
    by = f" by {escape(_clip(who, 64))}" if who else ""
    at = view.decided_at.astimezone(tz)
    return f"{DECIDED[view.status]}{by} · {at.day} {at:%b}, {at:%H:%M}"


def _header(view: FlowView) -> str:
    version = view.current.version
    return f"📱 <b>SMS flow #{view.id}</b> · version {version} · {STATUS[view.status]}"


def _step_counts(steps: Sequence[Mapping[str, Any]]) -> str:
    counts = Counter(str(step.get("type", "?")) for step in steps)
    order = list(KIND_WORDS) + sorted(set(counts) - set(KIND_WORDS))
    words = [_count(counts[kind], kind) for kind in order if counts[kind]]
    return f"<b>{len(steps)} steps:</b> " + ", ".join(words)


def _count(number: int, kind: str) -> str:
    one, many = KIND_WORDS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return f"{number} {one if number == 1 else many}"


def _segments(steps: Sequence[Mapping[str, Any]]) -> str | None:
    # Every step that sends a text: messages, product choices, purchase offers.
    messages = [step for step in steps if "content" in step]
    if not messages:
        return None
    total = sum(int(step.get("segments") or 0) for step in messages)
    unicode = sum(1 for step in messages if step.get("encoding") == "UCS-2")
    line = f"✉️ {len(messages)} texts, {total} SMS segments if a customer gets them all"
    if unicode:
        line += f" ({unicode} in UCS-2: emoji or special letters make those cost more)"
    return line + "."


def _first_sms(flow: Mapping[str, Any], steps: Sequence[Mapping[str, Any]]) -> str | None:
    """The first text a customer gets: the one most worth reading before approving."""
    by_id = {step.get("id"): step for step in steps}
    step, seen = by_id.get(flow.get("initialStepID")), set()
    while step is not None and "content" not in step and step.get("id") not in seen:
        seen.add(step.get("id"))
        events = step.get("events") or []
        step = by_id.get(events[0].get("nextStepID")) if events else None
    if step is None or "content" not in step:
        return None
    text = escape(_clip(str(step.get("content", "")), MAX_FIRST_SMS_SHOWN))
    return f"💬 First text: <i>{text}</i>"


def _fixes(corrections: Sequence[str], repairs: int) -> str | None:
    if not corrections and not repairs:
        return None
    lines = [f"🔧 Fixed automatically: {len(corrections)}"
             + (f" · the model repaired it {repairs}×" if repairs else "")]  # fmt: skip
    lines += [f"• {escape(_clip(line, 160))}" for line in corrections[:MAX_CORRECTIONS_SHOWN]]
    if len(corrections) > MAX_CORRECTIONS_SHOWN:
        lines.append(f"• … and {len(corrections) - MAX_CORRECTIONS_SHOWN} more (in the JSON)")
    return "\n".join(lines)


def _cost(version: FlowVersionView) -> str:
    name = escape(version.model_used.rsplit("/", 1)[-1])
    cost = version.cost_usd
    money = "&lt;$0.01" if Decimal(0) < cost < Decimal("0.01") else f"${cost:.2f}"
    seconds = version.generation_time_ms / 1000
    return f"🤖 {name} · {version.tokens_used:,} tokens · {money} · {seconds:.1f} s"


def flow_list(summaries: Sequence[FlowSummary]) -> str:
    if not summaries:
        return "No SMS flows yet.\n\n" + DESCRIBE
    lines = ["📱 <b>SMS flows</b> (newest first)"]
    lines += [_list_line(summary) for summary in summaries]
    lines += ["", "Tap one to open it, or send /flow &lt;description&gt; for a new one."]
    return "\n".join(lines)


def _list_line(summary: FlowSummary) -> str:
    versions = f"{summary.versions} version" + ("" if summary.versions == 1 else "s")
    approved = (
        f", v{summary.approved_version} approved" if summary.approved_version is not None else ""
    )
    return (
        f"• #{summary.id} {escape(_clip(summary.description, 50))} — "
        f"v{summary.current_version} {STATUS[summary.status]} ({versions}{approved})"
    )


def list_label(summary: FlowSummary) -> str:
    return f"#{summary.id} v{summary.current_version}: {_clip(summary.description, 40)}"


def file_name(flow_id: int, version: int, *, approved: bool = False) -> str:
    return f"sms-flow-{flow_id}-v{version}{'-approved' if approved else ''}.json"


def diagram_caption(flow_id: int, version: int) -> str:
    return f"🗺 SMS flow #{flow_id}, version {version}"


def failed(problems: Sequence[str], corrections: Sequence[str]) -> str:
    """No valid flow: what is still wrong, in the validator's words. Nothing was stored."""
    lines = ["⚠️ <b>I couldn't make a valid flow from that.</b> Still wrong after the fixes "
             "and two repair rounds:"]  # fmt: skip
    lines += [f"• {escape(_clip(line, 200))}" for line in problems[:10]]
    if len(problems) > 10:
        lines.append(f"• … and {len(problems) - 10} more")
    if corrections:
        lines.append(f"<i>({len(corrections)} other problems were fixed automatically.)</i>")
    return "\n".join(lines)


NEW_FLOW_LOST = "Nothing was saved. Try describing it differently: /flow &lt;description&gt;"
KEPT = "Version {version} is unchanged; ✏️ Edit description to describe it differently."


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

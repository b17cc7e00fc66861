"""How a reply card reads. Everything from the email or the model is HTML-escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from core.emaildesk.reply_views import ReplyView
from domain.email_replies import ReplyStatus
from handlers.common.views import MAX_TEXT

R = ReplyStatus
STATUS_LABEL = {
    R.DRAFTING: "✍️ writing a draft…",
    R.PENDING: "⏳ waiting for review",
    R.APPROVED: "📤 approved, sending…",
    R.SENDING: "📤 sending…",
    R.SENT: "✅ sent",
    R.FAILED: "❌ not sent",
    R.UNKNOWN: "❓ maybe sent",
    R.REJECTED: "🗑 rejected",
}
SHORTENED = "\n[… shortened here; the whole reply is sent]"
# Under a card whose redo brought back the same words.
REPEATED = "🔁 The model wrote the same reply again — tap 🔄 to try once more or ✏️ Edit it."


BOUNCED_HINT = "The customer did not get it: check their address, or reach them another way."


def reply_card(view: ReplyView, tz: ZoneInfo, note: str = "", *, crew: str = "") -> str:
    """The card; `note` (HTML) is a passing remark under it, `crew` (HTML) the review
    crew's block (handlers.common.crew_block), under the draft it judged."""
    head = "\n".join([*_header(view), *_assessment(view)])
    notes = ([crew] if crew else []) + _outcome(view, tz) + ([f"<i>{note}</i>"] if note else [])
    tail = "\n".join(notes)
    if view.draft is None:
        return _join(head, "", tail)
    room = MAX_TEXT - len(head) - len(tail) - 60
    body = f"<b>Draft reply</b>{' (edited by you)' if view.edited else ''}\n"
    return _join(head, body + f"<blockquote>{_escaped_within(view.draft, room)}</blockquote>", tail)


def _header(view: ReplyView) -> list[str]:
    sender = escape(view.from_address)
    if view.from_name:
        sender = f"{escape(view.from_name)} &lt;{sender}&gt;"
    lines = [
        f"<b>✉️ Reply #{view.id}</b> · <i>{STATUS_LABEL[view.status]}</i>",
        f"<b>From:</b> {sender}",
        f"<b>Subject:</b> {escape(view.subject) or '(none)'}",
    ]
    if view.reply_to and view.reply_to.lower() != view.from_address.lower():
        lines.append(
            f"<b>Reply-To:</b> {escape(view.reply_to)} (not used: replies go to the sender)"
        )
    if view.order_number:
        known = view.order_status or "not in your orders"
        lines.append(f"<b>Order:</b> {escape(view.order_number)} ({escape(known)})")
    if view.attachments:
        lines.append(f"📎 {view.attachments} attachment(s), not read")
    return lines


def _assessment(view: ReplyView) -> list[str]:
    if view.summary is None:
        return []
    lines = ["", f"<b>The customer:</b> {escape(view.summary)}"]
    kind = view.response_type.value if view.response_type else "?"
    tone = view.tone.value if view.tone else "?"
    lines.append(f"<b>Type:</b> {kind} · <b>Tone:</b> {tone} · {_confidence(view)}")
    if view.needs_review:
        lines.append("🔎 The model says a person should check this one.")
    if view.suggested_actions:
        actions = ", ".join(escape(a.replace("_", " ")) for a in view.suggested_actions)
        lines.append(f"<b>Suggested actions:</b> {actions}")
    if view.facts:
        lines.append("<b>Relied on:</b> " + "; ".join(escape(f) for f in view.facts))
    lines += [f"⚠️ {escape(warning)}" for warning in view.warnings]
    return [*lines, ""]


def _confidence(view: ReplyView) -> str:
    percent = round((view.confidence or 0) * 100)
    if view.low_confidence:
        return f"⚠️ <b>Low confidence ({percent}%)</b>: read it carefully before sending."
    return f"<b>Confidence:</b> {percent}%"


def _outcome(view: ReplyView, tz: ZoneInfo) -> list[str]:
    error = escape(view.error or "")
    if view.status is R.SENT and view.sent_at:
        sent = f"✅ Sent to {escape(view.from_address)} at {_local(view.sent_at, tz)}."
        if view.error:  # a bounce report came back for it (core.mailing.bounces)
            return [sent, f"↩️ But it bounced back: {error}", BOUNCED_HINT]
        return [sent]
    if view.status is R.FAILED:
        return [f"❌ Not sent: {error}", "Fix what the server says, then 🔁 Retry, or 🗑 Reject."]
    if view.status is R.UNKNOWN:
        return [f"❓ {error}", "Check the sent mail or ask the customer: did it arrive?"]
    if view.status is R.APPROVED and view.error and view.next_attempt_at:
        when = _local(view.next_attempt_at, tz)
        return [f"⏳ The mail server said: {error} Trying again at {when}."]
    if view.status is R.DRAFTING and view.error and view.next_attempt_at:
        when = _local(view.next_attempt_at, tz)
        return [f"⚠️ Couldn't write a draft: {error} I'll try again by myself at {when}."]
    return []


def _local(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%d %b, %H:%M")


def _escaped_within(text: str, room: int) -> str:
    """The text escaped, cut (on the raw text, so no entity is split) to fit `room`."""
    escaped = escape(text)
    if len(escaped) <= room:
        return escaped
    cut = max(room - len(SHORTENED), 0)
    while cut and len(escape(text[:cut])) > room - len(SHORTENED):
        cut -= max(1, (len(escape(text[:cut])) - room + len(SHORTENED)) // 2)
    return escape(text[:cut]) + escape(SHORTENED)


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part).strip()

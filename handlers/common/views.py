"""How domain objects read in Telegram. Everything the model wrote is HTML-escaped."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from core.suggestions.models import SuggestionView

MAX_TEXT = 4096
# Under a card whose 🔄 Regenerate brought back the words the person had just turned down.
REPEATED = "🔁 The model wrote the same text again — tap 🔄 to try once more or ✏️ Edit it yourself."
# Under a card whose model call a restart cut off (handlers.interrupted).
INTERRUPTED = "⚠️ Interrupted by a restart; tap 🔄 to try again."

STATUS_LABEL = {
    "pending": "⏳ waiting for review",
    "approved": "✅ approved",
    "rejected": "🗑 rejected",
}


def suggestion_card(view: SuggestionView, tz: ZoneInfo, note: str = "", crew: str = "") -> str:
    """The card; `note` (HTML) is a passing remark under it, such as "writing…"; `crew`
    (HTML) is the review crew's block (handlers.common.crew_block)."""
    when = view.when.astimezone(tz).strftime("%a %d %b %Y, %H:%M")
    products = ", ".join(escape(p) for p in view.products) or "none"
    lines = [
        f"<b>💡 Suggestion #{view.id}: {escape(view.title)}</b>",
        f"<i>{STATUS_LABEL.get(view.status, escape(view.status))}</i>",
        "",
        f"<b>What:</b> {escape(view.what)}",
        f"<b>Why:</b> {escape(view.why)}",
        f"<b>When:</b> {when} ({escape(tz.key)})",
        f"<b>Products:</b> {products}",
        "",
        "<b>Caption</b>",
        escape(view.caption),
        "",
        escape(" ".join(view.hashtags)),
    ]
    if crew:
        lines += ["", crew]
    if view.post_id is not None:
        lines += ["", f"Saved as draft post #{view.post_id}."]
    if note:
        lines += ["", f"<i>{note}</i>"]
    return _fit("\n".join(lines))


def fit(html: str) -> str:
    """For other cards (campaign plans, posts): the same guard as suggestion cards."""
    return _fit(html)


def _fit(html: str) -> str:
    """Cards are short by construction; this guards Telegram's 4096 limit anyway.

    Cutting HTML blindly could split a tag or an entity, so cut only the plain tail.
    """
    if len(html) <= MAX_TEXT:
        return html
    cut = html[: MAX_TEXT - 1]
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    return cut + "…"

"""How brands read in Telegram, and their buttons (`brd:<action>:<id>:<field>`).

Question buttons carry the field's index, so a tap on an older question can't answer the
one being asked now; the crew switch carries the state it sets, so a double tap sets it
once instead of flipping it back.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.brands import BrandView
from core.brands.guidelines import BrandGuidelines
from core.personas.views import PersonaView
from handlers.brand.fields import FIELDS, THRESHOLD_INDEX, BrandField, limits_line
from handlers.campaign.views import clip
from handlers.common.keyboards import CallbackKey
from handlers.common.views import fit

KIND = "brd"
MAX_LISTED = 25  # with names cut to 40 characters, the list stays under 4096
NO_PERSONA = 0  # the persona button for "a brand of its own"
BY_CHAT, BY_FILE = 0, 1  # how a new brand is made, carried by the persona buttons
UPLOAD_HELP = (
    "Send me a <b>.yaml</b>, <b>.yml</b> or <b>.json</b> file (up to 256 KiB) with the "
    "brand's fields: <code>brand_name</code> (required), <code>voice</code>, <code>tone</code>, "
    "<code>values</code>, <code>colors</code>, <code>prohibited_topics</code>, "
    "<code>keywords</code>, <code>prohibited_words</code>, <code>required_disclaimers</code>, "
    "<code>link_allowlist</code>, <code>channel_limits</code>, <code>hashtag_min</code>, "
    "<code>hashtag_max</code>, <code>notes</code>, <code>crew_enabled</code>, "
    "<code>quality_threshold</code>. See docs/BRANDS.md for an example."
)
CREATE_HINT = (
    "<i>⏭ skips a question, 💾 saves what you have so far, /cancel stops; nothing is saved "
    "before that.</i>"
)


def button(text: str, action: str, item: int = 0, field: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=CallbackKey(KIND, action, item, field).encode())


def brand_list(brands: tuple[BrandView, ...]) -> str:
    if not brands:
        return (
            "<b>🏷 Brands</b>\n\nNo brand yet. A brand tells the review crew how drafts "
            "should sound and what they must never say.\n"
            "Tap ➕ New brand, or 📄 Upload a file (YAML or JSON)."
        )
    lines = [f"{n}. {_entry(view)}" for n, view in enumerate(brands[:MAX_LISTED], start=1)]
    more = len(brands) - MAX_LISTED
    tail = [f"… and {more} more."] if more > 0 else []
    hint = "Tap a brand to see it, switch its crew on or off, or edit it."
    return fit("\n".join(["<b>🏷 Brands</b>", "", *lines, *tail, "", hint]))


def _entry(view: BrandView) -> str:
    star = " ⭐ default" if view.is_default else ""
    crew = "" if view.guidelines.crew_enabled else " · 🧪 crew off"
    return f"<b>{escape(clip(view.name, 40))}</b> — {_owner(view)}{star}{crew}"


def _owner(view: BrandView) -> str:
    if view.persona_name is not None:
        return f"persona {escape(clip(view.persona_name, 40))}"
    return f"no persona (brand_id {view.brand_id})"


def list_keyboard(brands: tuple[BrandView, ...]) -> InlineKeyboardMarkup:
    rows = [
        [button(f"🏷 {clip(view.name, 40)}", "sh", view.brand_id)] for view in brands[:MAX_LISTED]
    ]
    rows.append([button("➕ New brand", "new"), button("📄 Upload a file", "up")])
    return InlineKeyboardMarkup(rows)


def card(view: BrandView) -> str:
    brand = view.guidelines
    head = f"<b>🏷 {escape(brand.brand_name)}</b> (brand_id {view.brand_id})"
    lines = [head, f"For: {_owner(view)}" + (" · ⭐ default brand" if view.is_default else "")]
    lines += [crew_line(brand), ""]
    # Plain escaped text from here on, so `fit` can cut a very long brand without breaking
    # a tag.
    lines += _described(brand)
    return fit("\n".join(lines))


def crew_line(brand: BrandGuidelines) -> str:
    if not brand.crew_enabled:
        return "🧪 Review crew: <b>off</b> (drafts are not scored)"
    return f"🧪 Review crew: <b>on</b> · the rewrite is offered under {brand.quality_threshold}/100"


def _described(brand: BrandGuidelines) -> list[str]:
    lines: list[str] = []
    for label, value in (("Voice", brand.voice), ("Tone", brand.tone)):
        if value:
            lines.append(f"{label}: {escape(clip(value, 300))}")
    for label, items in (
        ("Values", brand.values),
        ("Colours", brand.colors),
        ("Keywords", brand.keywords),
        ("Prohibited topics", brand.prohibited_topics),
        ("Prohibited words", brand.prohibited_words),
        ("Allowed links", brand.link_allowlist),
    ):
        if items:
            lines.append(f"{label}: {escape(clip(', '.join(items), 400))}")
    if not brand.link_allowlist:
        lines.append("Allowed links: any")
    lines += [f"Disclaimer: {escape(clip(text, 300))}" for text in brand.required_disclaimers]
    if limits := limits_line(brand):
        lines.append(f"Length limits: {escape(limits)}")
    lines.append(f"Hashtags: {brand.hashtag_min}–{brand.hashtag_max} per draft")
    if brand.notes:
        lines.append(f"Notes: {escape(clip(brand.notes, 800))}")
    return lines


def card_keyboard(view: BrandView) -> InlineKeyboardMarkup:
    crew_on = view.guidelines.crew_enabled
    crew = ("🧪 Crew off", 0) if crew_on else ("🧪 Crew on", 1)
    rows = [
        [button("✏️ Edit", "ed", view.brand_id), button(crew[0], "crew", view.brand_id, crew[1])],
        [button("🎯 Threshold", "f", view.brand_id, THRESHOLD_INDEX)],
        [button("⬇️ Download JSON", "dl", view.brand_id), button("🗑 Delete", "del", view.brand_id)],
    ]
    if not view.is_default:
        rows[1].append(button("⭐ Make default", "def", view.brand_id))
    return InlineKeyboardMarkup(rows)


def delete_question(view: BrandView) -> str:
    return (
        f"🗑 Delete the brand <b>{escape(view.name)}</b>?\n\n"
        f"Drafts it already judged keep their scores. {_after_delete(view)} "
        "⬇️ Download JSON first if you may want it back."
    )


def _after_delete(view: BrandView) -> str:
    """What judges drafts once it is gone."""
    if view.is_default:
        return "Drafts will have no brand to be judged by until you ⭐ make another the default."
    if view.persona_name is not None:
        persona = escape(clip(view.persona_name, 40))
        return f"New drafts for persona {persona} will be judged by the default brand."
    return "/write can no longer pick it; nothing else uses it."


def delete_keyboard(view: BrandView) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button("🗑 Yes, delete it", "delok", view.brand_id),
          button("✖ Keep it", "keep", view.brand_id)]]
    )  # fmt: skip


def deleted(view: BrandView) -> str:
    return (
        f"🗑 Brand <b>{escape(view.name)}</b> deleted. /brand lists the others; "
        "📄 Upload its JSON file to bring it back."
    )


def edit_keyboard(view: BrandView) -> InlineKeyboardMarkup:
    buttons = [button(f.label, "f", view.brand_id, i) for i, f in enumerate(FIELDS)]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def persona_question(how: int) -> str:
    what = "the file" if how == BY_FILE else "the new brand"
    return (
        f"<b>🏷 New brand</b>\nWhich persona is {what} for? Drafts of that persona are judged "
        "by it. A brand with no persona can be picked by its id (in /write and the API), "
        "and the default brand covers every persona without a brand of its own."
    )


def persona_keyboard(
    personas: tuple[PersonaView, ...], how: int, taken: frozenset[int]
) -> InlineKeyboardMarkup:
    """One button per persona; those that have a brand say the file replaces it."""
    rows = [
        [button(f"🎭 {clip(p.name, 40)}" + _replaces(p.id in taken), "for", p.id, how)]
        for p in personas[:MAX_LISTED]
    ]
    rows.append([button("No persona: a brand of its own", "for", NO_PERSONA, how)])
    return InlineKeyboardMarkup(rows)


def _replaces(has_brand: bool) -> str:
    return " (replaces its brand)" if has_brand else ""


def create_question(field: BrandField, number: int) -> str:
    header = f"<b>🏷 New brand · step {number} of {len(FIELDS)}</b>"
    hint = f"\n\n{CREATE_HINT}" if number == 1 else ""
    return f"{header}\n{field.question}{hint}"


def question_keyboard(field_index: int) -> InlineKeyboardMarkup | None:
    """⏭ Skip and 💾 Save now, from the second question on (the name is required)."""
    if field_index == 0:
        return None
    return InlineKeyboardMarkup(
        [[button("⏭ Skip", "skip", 0, field_index), button("💾 Save now", "save", 0, field_index)]]
    )


def edit_question(field: BrandField, view: BrandView, now: str) -> str:
    clear = "" if field.key == "brand_name" else " Send <code>-</code> to clear it."
    return (
        f"<b>✏️ {escape(field.label)} of {escape(view.name)}</b>\n{field.question}\n"
        f"Now: {escape(clip(now, 500))}\n<i>Send the new value, or /cancel.{clear}</i>"
    )


def answered(field: BrandField, value: str | None) -> str:
    shown = f"<b>{escape(clip(value, 200))}</b>" if value is not None else "<i>skipped</i>"
    return f"{escape(field.label)}: {shown} ✓"


def saved(view: BrandView, how: str) -> str:
    default = " It is the <b>default brand</b>." if view.is_default else ""
    return f"✅ Brand <b>{escape(view.name)}</b> {how}.{default}"

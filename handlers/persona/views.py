"""How personas read in Telegram, and their buttons (`per:<action>:<id>:<field>`).

Option and skip buttons carry the field's index, so a tap on an older question can't
answer the one being asked now.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.personas.views import PersonaView, PillarView
from handlers.campaign.views import clip
from handlers.common.keyboards import CallbackKey
from handlers.common.views import fit
from handlers.persona.fields import CAPTION_KEYS, FIELDS, PersonaField, hashtag_summary

KIND = "per"
MAX_LISTED = 30
UPLOAD_HELP = (
    "Send me a <b>.yaml</b>, <b>.yml</b> or <b>.json</b> file (up to 256 KiB) shaped like the "
    "REST body: <code>name</code>, <code>caption_config</code>, <code>hashtag_strategy</code>, "
    "<code>brand_guidelines</code>, <code>content_pillars</code>. Only the name is required."
)
CREATE_HINT = "<i>/cancel stops at any step; nothing is saved until the last one.</i>"


def button(text: str, action: str, item: int = 0, field: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=CallbackKey(KIND, action, item, field).encode())


def persona_list(personas: tuple[PersonaView, ...]) -> str:
    if not personas:
        return (
            "<b>🎭 Personas</b>\n\nNo persona yet. A persona is the voice your campaigns are "
            "written in.\nTap ➕ New persona, or send me a YAML or JSON file."
        )
    blocks = [_list_entry(number, p) for number, p in enumerate(personas[:MAX_LISTED], start=1)]
    more = len(personas) - MAX_LISTED
    tail = [f"… and {more} more."] if more > 0 else []
    hint = "Tap ✏️ to edit one, ➕ to create one, or send a YAML or JSON file to import one."
    return fit("\n\n".join(["<b>🎭 Personas</b>", *blocks, *tail, hint]))


def _list_entry(number: int, persona: PersonaView) -> str:
    voice = " · ".join(
        escape(str(persona.caption_config[k]))
        for k in CAPTION_KEYS
        if persona.caption_config.get(k)
    )
    pillars = ", ".join(_pillar(p) for p in persona.content_pillars)
    lines = [f"<b>{number}. {escape(persona.name)}</b>" + (f" — {voice}" if voice else "")]
    lines.append(f"Pillars: {pillars or '<i>none yet</i>'}")
    return "\n".join(lines)


def _pillar(pillar: PillarView) -> str:
    about = f" ({escape(clip(pillar.description, 60))})" if pillar.description else ""
    return escape(pillar.name) + about + ("" if pillar.active else " <i>[off]</i>")


def list_keyboard(personas: tuple[PersonaView, ...]) -> InlineKeyboardMarkup:
    rows = [[button(f"✏️ Edit {clip(p.name, 40)}", "ed", p.id)] for p in personas[:MAX_LISTED]]
    rows.append([button("➕ New persona", "new"), button("📄 Import a file", "up")])
    return InlineKeyboardMarkup(rows)


def card(persona: PersonaView) -> str:
    config = persona.caption_config
    voice = " · ".join(
        f"{f.label}: {escape(str(config[f.key]))}" for f in FIELDS if config.get(f.key)
    )
    lines = [
        f"<b>🎭 {escape(persona.name)}</b> (persona #{persona.id})",
        voice or "<i>no voice settings</i>",
    ]
    if tags := hashtag_summary(persona.hashtag_strategy):
        lines.append(f"Hashtags: {escape(tags)}")
    if persona.brand_guidelines:
        lines.append(f"Guidelines: {escape(clip(persona.brand_guidelines, 1500))}")
    pillars = [f"• {_pillar(p)}" for p in persona.content_pillars]
    lines += ["Pillars:", *(pillars or ["<i>none</i>"])]
    return fit("\n".join(lines))


def edit_keyboard(persona: PersonaView) -> InlineKeyboardMarkup:
    buttons = [button(f.label, "f", persona.id, i) for i, f in enumerate(FIELDS)]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def create_question(field: PersonaField, number: int) -> str:
    header = f"<b>🎭 New persona · step {number} of {len(FIELDS)}</b>"
    hint = f"\n\n{CREATE_HINT}" if number == 1 else ""
    return f"{header}\n{field.question}{hint}"


def edit_question(field: PersonaField, persona: PersonaView, now: str) -> str:
    return (
        f"<b>✏️ {escape(field.label)} of {escape(persona.name)}</b>\n"
        f"{field.edit_question or field.question}\n"
        f"Now: {escape(clip(now, 500))}\n<i>Send the new value, or /cancel.</i>"
    )


def answered(field: PersonaField, value: str | None) -> str:
    shown = f"<b>{escape(clip(value, 200))}</b>" if value is not None else "<i>skipped</i>"
    return f"{escape(field.label)}: {shown} ✓"


def question_keyboard(field_index: int, *, skippable: bool) -> InlineKeyboardMarkup | None:
    field = FIELDS[field_index]
    options = [button(text, "opt", i, field_index) for i, text in enumerate(field.options)]
    rows = [options[i : i + 3] for i in range(0, len(options), 3)]
    if skippable:
        rows.append([button("⏭ Skip", "skip", 0, field_index)])
    return InlineKeyboardMarkup(rows) if rows else None


def created(persona: PersonaView, how: str) -> str:
    pillars = len(persona.content_pillars)
    return (
        f"✅ Persona <b>{escape(persona.name)}</b> {how} with {pillars} content "
        f"pillar{'s' if pillars != 1 else ''}. Plan a campaign with /campaign."
    )


ADDED, OFF, ON, DESCRIBED = "Added", "Switched off", "Switched on", "New description"
KEPT, NOT_LISTED = "Already there, kept as they were", "Not in your list, kept as they were"
PILLAR_GROUPS = (ADDED, OFF, ON, DESCRIBED, KEPT, NOT_LISTED)


def pillars_updated(before: PersonaView, after: PersonaView, named: Sequence[str]) -> str:
    """What a pillar edit did, pillar by pillar, judged from the persona before and after."""
    was = {pillar.id: pillar for pillar in before.content_pillars}
    asked = {name.casefold() for name in named}
    groups: dict[str, list[str]] = {label: [] for label in PILLAR_GROUPS}
    for pillar in after.content_pillars:
        for label in _what_happened(was.get(pillar.id), pillar, pillar.name.casefold() in asked):
            groups[label].append(pillar.name)
    name = escape(after.name)
    changed = any(groups[label] for label in (ADDED, OFF, ON, DESCRIBED))
    head = (
        f"✅ Content pillars of <b>{name}</b> updated."
        if changed
        else f"Content pillars of <b>{name}</b>: nothing changed."
    )
    lines = [f"{label}: {escape(', '.join(names))}" for label, names in groups.items() if names]
    return fit("\n".join([head, *lines]))


def _what_happened(old: PillarView | None, new: PillarView, named: bool) -> list[str]:
    if old is None:
        return [ADDED]
    labels = []
    if old.active != new.active:
        labels.append(ON if new.active else OFF)
    if old.description != new.description:
        labels.append(DESCRIBED)
    return labels or [KEPT if named else NOT_LISTED]

"""How the /campaign conversation and its plan preview read. Model and user text is escaped."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from core.campaigns.models import CampaignPlan, PostPlan
from handlers.campaign.steps import TOTAL_STEPS, Step
from handlers.common.dialog import bullet_list
from handlers.common.views import fit

CANCEL_HINT = "<i>/cancel stops at any step; nothing is saved until you create the campaign.</i>"
NO_PERSONA = (
    "A campaign is written in a persona's voice, and there is none yet.\n"
    "Create one with /persona, or send me a persona as a YAML or JSON file."
)
FORMAT_ICONS = {
    "image": "🖼", "carousel": "🗂", "reel": "🎞", "story": "📱", "video": "🎬", "text": "📝",
}  # fmt: skip
SUMMARY_BUDGET = 3600  # characters of post lines before "… and N more"
TITLE_IN_LIST = 48


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def step_header(number: int) -> str:
    return f"<b>🗓 New campaign · step {number} of {TOTAL_STEPS}</b>"


def persona_question() -> str:
    return f"{step_header(1)}\nWhich persona should speak?\n\n{CANCEL_HINT}"


def step_question(step: Step) -> str:
    return f"{step_header(step.number)}\n{step.question}"


def answered(number: int, label: str, value: str) -> str:
    return f"{step_header(number)}\n{label}: <b>{escape(value)}</b> ✓"


def planning_text(persona: str, count: int) -> str:
    return (
        f"🧠 Planning {count} post{'s' if count != 1 else ''} for <b>{escape(persona)}</b>…\n"
        "This can take a minute; you can keep using the bot meanwhile."
    )


def failed_text(reason: str) -> str:
    return (
        f"⚠️ I couldn't plan the campaign: {escape(reason)}\n"
        "Nothing was saved. Tap Retry to ask again, or /cancel."
    )


def summary(plan: CampaignPlan, data: dict[str, Any], tz: ZoneInfo) -> str:
    head = _summary_head(plan, data, tz)
    lines = _post_lines(plan.posts, tz)
    notes = list(data.get("warnings") or [])
    tail = ["", "⚠️ <b>Please check</b>", bullet_list(notes)] if notes else []
    tail += ["", "Nothing is saved until you tap <b>✅ Create campaign</b>."]
    return fit("\n".join([*head, *lines, *tail]))


def _summary_head(plan: CampaignPlan, data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    period = f"{_day(data['start_date'])} – {_day(data['end_date'])}"
    count = len(plan.posts)
    return [
        f"<b>📋 {escape(plan.campaign_name)}</b>",
        f"Persona: {escape(str(data.get('persona_name', '')))} · {count} posts · {period}",
        "",
        *_strategy(plan.strategy_metadata),
        "",
        f"<b>Posts</b> (times in {escape(tz.key)})",
    ]


def _strategy(metadata: dict[str, Any]) -> list[str]:
    lines = []
    if summary_text := metadata.get("summary"):
        lines.append(escape(clip(str(summary_text), 600)))
    if key_message := metadata.get("key_message"):
        lines.append(f"<b>Key message:</b> {escape(clip(str(key_message), 300))}")
    if cadence := metadata.get("cadence"):
        lines.append(f"<b>Cadence:</b> {escape(clip(str(cadence), 300))}")
    mix = metadata.get("pillar_mix")
    if isinstance(mix, dict) and mix:
        shares = ", ".join(f"{escape(str(k))} {escape(str(v))}" for k, v in mix.items())
        lines.append(f"<b>Pillars:</b> {clip(shares, 300)}")
    return lines or ["<i>No strategy notes.</i>"]


def _post_lines(posts: list[PostPlan], tz: ZoneInfo) -> list[str]:
    lines: list[str] = []
    used = 0
    for number, post in enumerate(posts, start=1):
        line = (
            f"{number}. {_when_short(post.scheduled_at, tz)} · {post.format} · "
            f"{escape(clip(post.title, TITLE_IN_LIST))}"
        )
        used += len(line) + 1
        if used > SUMMARY_BUDGET:
            lines.append(f"… and {len(posts) - number + 1} more (page through them below)")
            break
        lines.append(line)
    return lines


def detail(plan: CampaignPlan, index: int, tz: ZoneInfo) -> str:
    post = plan.posts[index]
    icon = FORMAT_ICONS.get(post.format, "")
    lines = [
        f"<b>Post {index + 1} of {len(plan.posts)}: {escape(clip(post.title, 200))}</b>",
        f"🗓 {when_long(post.scheduled_at, tz)} · {icon} {post.format}",
        f"Pillar: {escape(post.content_pillar_name)}",
    ]
    if post.description:
        lines.append(f"<i>{escape(clip(post.description, 300))}</i>")
    lines += ["", "<b>Caption</b>", escape(clip(post.caption_draft, 2400)), ""]
    lines.append(escape(" ".join(post.hashtags)) or "<i>no hashtags</i>")
    lines += ["", "<b>Image prompt</b>", escape(clip(post.image_prompt, 600))]
    return fit("\n".join(lines))


def created_text(campaign_id: int, count: int) -> str:
    return (
        f"✅ Campaign #{campaign_id} created with {count} draft post{'s' if count != 1 else ''} "
        "— review them with /approve"
    )


def when_long(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %d %b %Y, %H:%M} ({escape(tz.key)})"


def _when_short(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %d %b %H:%M}"


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"

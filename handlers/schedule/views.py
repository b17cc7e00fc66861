"""How the publishing plan reads in Telegram. Everything people or the model wrote is escaped.

Times are shown in TIMEZONE with the zone's abbreviation, so the doubled hour of an
autumn DST change reads unambiguously (02:30 CEST, then 02:30 CET).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from core.publishing.agenda import Agenda, PlanItem
from core.publishing.alerts import Alert
from domain.statuses import PostStatus as S
from domain.timegrammar import MOMENT_EXAMPLES as EXAMPLES

MAX_TEXT = 4096
PREVIEW = 300
STATUS: dict[str, str] = {
    S.READY: "🕒 approved, needs a time",
    S.SCHEDULED: "🗓 scheduled",
    S.PUBLISHING: "📤 being published",
    S.PUBLISHED: "✅ published",
    S.MISSED: "⚠️ missed its time",
    S.FAILED: "❌ failed",
    S.UNKNOWN: "❓ may or may not have gone out",
}
ALERT_HEAD: dict[str, str] = {
    S.FAILED: "❌ <b>Post #{id} could not be published</b>",
    S.UNKNOWN: "❓ <b>Post #{id}: did it go out?</b>",
    S.MISSED: "⚠️ <b>Post #{id} missed its time</b>",
    "mirror_failed": "🔗 <b>Post #{id} is in the channel, but the webhook did not take it</b>",
}


def when(at: datetime | None, tz: ZoneInfo) -> str:
    if at is None:
        return "no time set"
    return at.astimezone(tz).strftime("%a %d %b %Y, %H:%M %Z")


def target_label(target: str | None, default: str | None) -> str:
    chosen = target or default
    if chosen is None:
        return "nowhere yet: set PUBLISH_CHAT_ID"
    return escape(chosen.removeprefix("telegram:"))


def overview(agenda: Agenda, tz: ZoneInfo) -> str:
    if agenda.empty:
        return "Nothing is scheduled, and nothing approved is waiting for a time. 🎉"
    lines = [f"<b>📅 Publishing plan</b> (times in {escape(tz.key)})"]
    if agenda.attention:
        lines += ["", "<b>Needs you</b>", *(_line(i, tz, full=True) for i in agenda.attention)]
    for day in agenda.days:
        lines += ["", f"<b>{day.day:%A %d %B}</b>", *(_line(i, tz) for i in day.items)]
    if agenda.needs_time:
        lines += ["", "<b>Approved, needs a time</b>"]
        lines += [_line(i, tz, full=True) for i in agenda.needs_time]
    lines += ["", f"Destination: {target_label(None, agenda.default_target)}"]
    lines += ["Tap a post to reschedule, unschedule or publish it now."]
    return fit("\n".join(lines))


def _line(item: PlanItem, tz: ZoneInfo, *, full: bool = False) -> str:
    at = item.scheduled_at.astimezone(tz) if item.scheduled_at else None
    clock = (at.strftime("%a %d %b %H:%M") if full else at.strftime("%H:%M")) if at else "—"
    flag = "" if item.approved or item.status != S.SCHEDULED else " ⚠️ not approved"
    status = f" · {STATUS.get(item.status, escape(item.status))}" if full else flag
    return f"{clock} · #{item.post_id} {escape(item.title)}{status}"


def card(item: PlanItem, tz: ZoneInfo, default_target: str | None) -> str:
    preview = item.caption if len(item.caption) <= PREVIEW else item.caption[:PREVIEW] + "…"
    lines = [
        f"<b>Post #{item.post_id}: {escape(item.title)}</b>",
        f"<i>{STATUS.get(item.status, escape(item.status))}</i>",
        "",
        f"<b>When:</b> {escape(when(item.scheduled_at, tz))}",
        f"<b>Where:</b> {target_label(item.target, default_target)}",
    ]
    if item.published_at is not None:
        lines.append(f"<b>Published:</b> {escape(when(item.published_at, tz))}")
    if item.last_error and item.status in (S.FAILED, S.UNKNOWN, S.MISSED):
        lines.append(f"<b>Why:</b> {escape(item.last_error)}")
    if not item.approved and item.status in (S.SCHEDULED, S.MISSED, S.READY):
        lines.append("⚠️ Not approved: it will not go out until it is. /approve")
    lines += ["", escape(preview), "", escape(" ".join(item.hashtags))]
    return fit("\n".join(lines).rstrip())


def alert_text(alert: Alert, tz: ZoneInfo, default_target: str | None) -> str:
    lines = [
        ALERT_HEAD.get(alert.kind, "Post #{id}").format(id=alert.post_id),
        f"“{escape(alert.title)}”, due {escape(when(alert.scheduled_at, tz))}",
        f"to {target_label(alert.target, default_target)}",
        "",
        escape(alert.reason),
    ]
    if alert.kind == S.UNKNOWN:
        lines += ["", "Check the channel, then tell me which it is. Nothing is resent by itself."]
    if alert.kind == "mirror_failed":
        lines += ["", "The channel post stays. Retry sends the copy again, with the same id."]
    return fit("\n".join(lines))


def confirm_text(item: PlanItem, default_target: str | None, *, again: bool) -> str:
    where = target_label(item.target, default_target)
    if again:
        return (
            f"Send post #{item.post_id} “{escape(item.title)}” to {where} again now?\n"
            "If the earlier send did go out, it will be there twice."
        )
    return f"Publish post #{item.post_id} “{escape(item.title)}” to {where} now?"


def ask_time_text(item: PlanItem, tz: ZoneInfo) -> str:
    return (
        f"When should post #{item.post_id} “{escape(item.title)}” go out? Send a time in "
        f"{escape(tz.key)}, e.g. {escape(EXAMPLES)}. Or /cancel."
    )


def scheduled_text(item: PlanItem, tz: ZoneInfo) -> str:
    return f"🗓 Post #{item.post_id} will go out {escape(when(item.scheduled_at, tz))}."


def fit(html: str) -> str:
    """Guard Telegram's 4096 limit; cut only a plain tail, never inside a tag or entity."""
    if len(html) <= MAX_TEXT:
        return html
    # Every line closes its own tags, so a cut at a line break leaves valid HTML.
    cut = html[: MAX_TEXT - 1]
    return cut[: cut.rfind("\n")] + "\n…"

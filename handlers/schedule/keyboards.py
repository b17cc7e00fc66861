"""Buttons of /schedule, of post cards about publishing, and of publishing alerts.

callback_data is `pb:<action>:<post id>:<n>`, at most 64 bytes, never user text. `n`
carries the planned minute for "keep the planned time" (a changed plan is noticed),
whether a publish-now is a resend, or a calendar offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.publishing.agenda import PlanItem
from domain.statuses import PostStatus as S
from handlers.common.keyboards import CallbackKey

KIND = "pb"
OPEN, PLANNED, ASK_TIME, UNSCHEDULE = "open", "ok", "at", "un"
PUBLISH_NOW, CONFIRM_NOW, CANCEL_NOW = "now", "go", "no"
WAS_PUBLISHED, SEND_AGAIN, RETRY = "pub", "again", "retry"
RETRY_MIRROR = "mretry"  # a failed webhook mirror: send it to the webhook again
WEEK, MONTH, LIST = "week", "month", "list"
MAX_ROWS = 20


def button(text: str, action: str, post_id: int = 0, n: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=CallbackKey(KIND, action, post_id, n).encode())


def minute_of(at: datetime) -> int:
    return int(at.timestamp() // 60)


def planned_button(item: PlanItem, tz: ZoneInfo) -> InlineKeyboardButton | None:
    """ "✅ Tue 24 Nov 10:00" when the post has a planned time still ahead."""
    at = item.scheduled_at
    if at is None:
        return None
    return button(f"✅ {at.astimezone(tz):%a %d %b %H:%M}", PLANNED, item.post_id, minute_of(at))


def time_keyboard(item: PlanItem, tz: ZoneInfo, *, planned_ok: bool) -> InlineKeyboardMarkup:
    """After approval: keep the planned time, pick another, or publish now."""
    first = [planned_button(item, tz)] if planned_ok else []
    row = [b for b in first if b is not None] + [button("🕒 Other time", ASK_TIME, item.post_id)]
    return InlineKeyboardMarkup([row, [button("🚀 Publish now", PUBLISH_NOW, item.post_id)]])


def card_keyboard(item: PlanItem, tz: ZoneInfo, *, planned_ok: bool) -> InlineKeyboardMarkup | None:
    if item.status == S.READY and item.approved:
        return time_keyboard(item, tz, planned_ok=planned_ok)
    rows = status_rows(item.post_id, item.status)
    return InlineKeyboardMarkup(rows) if rows else None


def status_rows(post_id: int, status: str) -> list[list[InlineKeyboardButton]]:
    """What can be done about a post in this status, on its card or its alert."""
    now = button("🚀 Publish now", PUBLISH_NOW, post_id)
    later = button("🕒 Reschedule", ASK_TIME, post_id)
    back = button("⏸ Unschedule", UNSCHEDULE, post_id)
    rows: dict[str, list[list[InlineKeyboardButton]]] = {
        S.SCHEDULED: [[later, back], [now]],
        S.MISSED: [[now, later], [back]],
        S.FAILED: [[button("🔁 Retry", RETRY, post_id), later]],
        S.UNKNOWN: [
            [
                button("✅ It was published", WAS_PUBLISHED, post_id),
                button("🔁 Send again", SEND_AGAIN, post_id),
            ]
        ],
    }
    return rows.get(status, [])


def confirm_keyboard(post_id: int, *, again: bool) -> InlineKeyboardMarkup:
    yes = "✅ Yes, send it again" if again else "✅ Yes, publish now"
    return InlineKeyboardMarkup(
        [[button(yes, CONFIRM_NOW, post_id, int(again)), button("✖ Cancel", CANCEL_NOW, post_id)]]
    )


def overview_keyboard(items: Sequence[PlanItem], tz: ZoneInfo) -> InlineKeyboardMarkup:
    rows = [[button(_label(item, tz), OPEN, item.post_id)] for item in items[:MAX_ROWS]]
    rows.append([button("🖼 Week picture", WEEK), button("🖼 Month picture", MONTH)])
    return InlineKeyboardMarkup(rows)


def calendar_keyboard(month: bool, offset: int) -> InlineKeyboardMarkup:
    action = MONTH if month else WEEK
    return InlineKeyboardMarkup(
        [[button("◀ Earlier", action, 0, offset - 1), button("Later ▶", action, 0, offset + 1)],
         [button("📋 List", LIST)]]
    )  # fmt: skip


def alert_keyboard(post_id: int, kind: str) -> InlineKeyboardMarkup | None:
    if kind == "mirror_failed":
        return InlineKeyboardMarkup([[button("🔁 Retry the webhook", RETRY_MIRROR, post_id)]])
    rows = status_rows(post_id, kind)[:1]  # the alert offers the first choices only
    return InlineKeyboardMarkup(rows) if rows else None


_MARKS: dict[str, str] = {S.MISSED: "⚠️", S.FAILED: "❌", S.UNKNOWN: "❓", S.READY: "🕒"}


def _label(item: PlanItem, tz: ZoneInfo) -> str:
    when = f"{item.scheduled_at.astimezone(tz):%a %d %b %H:%M}" if item.scheduled_at else "no time"
    mark = _MARKS.get(item.status, "🗓")
    return f"{mark} #{item.post_id} · {when} · {item.title[:28]}"


def published_keyboard(
    item: PlanItem, default_target: str | None, message_id: int | None
) -> InlineKeyboardMarkup | None:
    """A published post's card: nothing left to do, but a public channel's post can be
    opened ("🔗 View in channel", t.me/<name>/<id>)."""
    where = (item.target or default_target or "").removeprefix("telegram:")
    if message_id is None or not where.startswith("@"):
        return None
    url = f"https://t.me/{where[1:]}/{message_id}"
    return InlineKeyboardMarkup([[InlineKeyboardButton("🔗 View in channel", url=url)]])

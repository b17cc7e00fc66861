"""Post cards in /approve and their buttons (`pst:<action>:<id>:<revision>`).

A card's revision is a checksum of what it shows a reviewer (PostView.revision). An edit
or a regeneration changes it, so an Approve pressed on a card showing the old words is
refused instead of approving text the reviewer never saw.
"""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.posts.crew_gate import CrewState
from core.posts.service import offered_design_prompt
from core.posts.views import PostView
from domain import statuses as states
from handlers.campaign.views import FORMAT_ICONS, clip, when_long
from handlers.common.keyboards import CallbackKey
from handlers.common.views import fit
from handlers.images.keyboards import generate_images_row

KIND = "pst"
REGENERATE = "🔄 Regenerate"
USE_DESIGN_PROMPT = "dp"  # `pst:dp:<id>:<revision>`, handled in handlers.review.post_crew
DESIGN_PROMPT_BUTTON = "🎨 Use design image prompt"


def revision(view: PostView) -> int:
    return view.revision


def _button(text: str, action: str, item: int, rev: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=CallbackKey(KIND, action, item, rev).encode())


def status_line(view: PostView) -> str:
    if view.status == states.PostStatus.REJECTED:
        return "🗑 rejected"
    if view.approved:
        return f"✅ approved · {escape(view.status)}"
    return f"⏳ waiting for approval · {escape(view.status)}"


def post_card(
    view: PostView, tz: ZoneInfo, campaign: str | None, note: str = "", *, crew: str = ""
) -> str:
    """The card; `note` (HTML) is a passing remark under it, such as "writing…"; `crew`
    (HTML) is the review crew's block (handlers.common.crew_block)."""
    when = when_long(view.scheduled_at, tz) if view.scheduled_at else "not scheduled"
    post_format = view.format or "image"
    lines = [
        f"<b>📣 Post #{view.id}: {escape(clip(view.title, 200))}</b>",
        f"<i>{status_line(view)}</i>",
        escape(campaign) if campaign else _origin(view),
        f"<b>When:</b> {when}",
        f"<b>Format:</b> {FORMAT_ICONS.get(post_format, '')} {escape(post_format)}",
        f"<b>Pillar:</b> {escape(view.content_pillar_name or 'none')}",
        "",
        "<b>Caption</b>",
        escape(clip(view.caption, 2400)),
        "",
        escape(" ".join(view.hashtags)) or "<i>no hashtags</i>",
    ]
    if view.image_prompt:
        lines += ["", "<b>Image prompt</b>", escape(clip(view.image_prompt, 600))]
    if crew:
        lines += ["", crew]
    if note:
        lines += ["", f"<i>{note}</i>"]
    return fit("\n".join(lines))


def _origin(view: PostView) -> str:
    return f"From suggestion #{view.suggestion_id}" if view.suggestion_id else "Single post"


def card_keyboard(view: PostView, *, retry: bool = False) -> InlineKeyboardMarkup | None:
    """Approve / Edit / Regenerate / Reject, two a row; `retry` after a failed regeneration."""
    status = states.parse(view.status)
    rev = revision(view)
    buttons = []
    if not view.approved and status in states.APPROVABLE:
        buttons.append(_button("✅ Approve", "ap", view.id, rev))
    if status in states.EDITABLE:
        buttons.append(_button("✏️ Edit", "ed", view.id, rev))
        buttons.append(_button("🔁 Retry" if retry else REGENERATE, "rg", view.id, rev))
    if states.is_allowed(status, states.PostStatus.REJECTED):
        buttons.append(_button("🗑 Reject", "rj", view.id, rev))
    rows = [buttons[n : n + 2] for n in range(0, len(buttons), 2)]
    if view.image_prompt and states.is_allowed(status, states.PostStatus.AWAITING_IMAGE):
        rows.append(generate_images_row(view.id))
    return InlineKeyboardMarkup(rows) if rows else None


def design_rows(view: PostView, state: CrewState) -> list[list[InlineKeyboardButton]]:
    """ "🎨 Use design image prompt" when the crew's design advisor proposed a new one for a
    post that may still change and gets a picture (core decides: offered_design_prompt)."""
    if offered_design_prompt(view, state) is None:
        return []
    return [[_button(DESIGN_PROMPT_BUTTON, USE_DESIGN_PROMPT, view.id, revision(view))]]


def campaign_label(campaign_id: int, name: str) -> str:
    return f"Campaign #{campaign_id} · {name}"


def footer_keyboard(
    campaigns: list[tuple[int, str, int]], more_after: int | None
) -> InlineKeyboardMarkup | None:
    """One "approve all" per campaign on the page (id, name, waiting), then "Next"."""
    rows = [
        [_button(f"✅ Approve all {waiting} posts of campaign {clip(name, 30)}", "all", cid)]
        for cid, name, waiting in campaigns
    ]
    if more_after is not None:
        rows.append([_button("Next ▶", "next", more_after)])
    return InlineKeyboardMarkup(rows) if rows else None

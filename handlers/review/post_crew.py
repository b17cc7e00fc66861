"""The crew's buttons on a post card: ✨ Apply optimizer rewrite (`pst:ow:…`),
🎨 Use design image prompt (`pst:dp:…`) and "↩️ Not yet" (`pst:bk:…`) under the compliance
question. ("Approve anyway", `pst:ac:…`, is an approval and lives with Approve in
handlers.review.posts.)
"""

from __future__ import annotations

from telegram import CallbackQuery

from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound
from domain.statuses import PostStatus
from handlers.common import crew_block
from handlers.common.context import BotContext
from handlers.common.dialog import Who
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.review.post_cards import show_at
from handlers.review.post_views import USE_DESIGN_PROMPT

APPLIED = "✨ The optimizer's rewrite is the caption now; the crew checks it again."
PROMPT_SET = (
    "🎨 The design advisor's image prompt is this post's image prompt now: "
    "🖼 Generate images sends it to ComfyUI."
)
# A post already waiting on an image run: that run keeps the prompt it was started with.
PROMPT_SET_RUNNING = (
    "🎨 The design advisor's image prompt is this post's image prompt now. The image run "
    "under way keeps its own prompt: use ✏️ Edit prompt there (/pickimage) to change it."
)


async def on_button(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    if query.message is None:
        await refuse(query, context, "stale", "This card is too old; use /approve.",
                     show_alert=True)  # fmt: skip
        return
    if key.action == crew_block.REWRITE:
        await _apply_rewrite(query, context, who, key, query.message.message_id)
    elif key.action == USE_DESIGN_PROMPT:
        await _use_design_prompt(query, context, who, key, query.message.message_id)
    else:
        await query.answer()
        await _redraw(context, who, query.message.message_id, key.item_id)


async def _apply_rewrite(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, message_id: int
) -> None:
    """Through the post's edit path: only on this card's revision, approval withdrawn."""
    try:
        view = await context.services.posts.apply_rewrite(key.item_id, key.revision, who.user_id)
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await refuse(query, context, "stale", str(error)[:200], show_alert=True)
        await _redraw(context, who, message_id, key.item_id)
        return
    except CopilotError as error:  # the rewrite does not fit the format: nothing changed
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer("Rewrite applied ✨")
    await show_at(context, who, message_id, view, note=APPLIED)


async def _use_design_prompt(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, message_id: int
) -> None:
    """By the edit rules: only on this card's revision, so a double tap changes it once."""
    posts = context.services.posts
    try:
        view = await posts.use_design_prompt(key.item_id, key.revision, who.user_id)
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await refuse(query, context, "stale", str(error)[:200], show_alert=True)
        await _redraw(context, who, message_id, key.item_id)
        return
    await query.answer("Image prompt set 🎨")
    waiting = view.status == PostStatus.AWAITING_IMAGE
    await show_at(
        context, who, message_id, view, note=PROMPT_SET_RUNNING if waiting else PROMPT_SET
    )


async def _redraw(context: BotContext, who: Who, message_id: int, post_id: int) -> None:
    try:
        view = await context.services.posts.get(post_id)
    except NotFound:
        return
    await show_at(context, who, message_id, view)

"""Posts in /approve: one card each, with Approve / Edit / Regenerate / Reject, and
"approve all" per campaign.

Showing a card records that the post was seen; "approve all" works only once every
waiting post of the campaign has been seen, so nothing is approved unread. Every change
is a conditional update in core: a double tap or a second admin is told it was done.
Regenerate (`pst:rg:…`) has its own module, handlers.post_regenerate, routed in bot.app.
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, ForceReply, Update

from core.conversations import Conversation
from core.errors import AlreadyDecided, InvalidTransition, NotFound, ValidationFailed
from core.posts.crew_gate import ComplianceUnconfirmed
from core.posts.views import PostView
from core.review_queue import QueueAction
from domain.crew import ItemKind
from handlers.common import crew_block, review_cards
from handlers.common.context import BotContext
from handlers.common.dialog import (
    Who,
    bullet_list,
    clear,
    key_of,
    save,
    send,
    text_of,
)
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import STALE, refuse
from handlers.review import post_approve_all, post_crew
from handlers.review.post_cards import ask_confirmation, campaign_names, send_card, show_at
from handlers.review.post_views import (
    KIND,
    USE_DESIGN_PROMPT,
    campaign_label,
    footer_keyboard,
    revision,
)
from handlers.schedule import command as schedule

PAGE_SIZE = 5
MAX_QUEUE = 1000
PREFIX = "post:"  # the states this flow waits for text in
EDITING = PREFIX + "edit"


async def waiting(context: BotContext) -> int:
    return (await context.services.posts.pending_review(limit=1)).total


async def send_queue(context: BotContext, who: Who, after: int = 0) -> None:
    """The oldest waiting posts, or with `after` (a post id) the ones queued after it.

    "Next" pages with a post id rather than an offset: deciding posts shrinks the
    queue, and an offset would then skip posts that were never shown.
    """
    queue = await _queue(context)
    rest = await _after(context, queue, after)
    if not rest:
        await send(context, who, "No posts are waiting for approval. 🎉")
        return
    shown = rest[:PAGE_SIZE]
    await send(context, who, _header(len(queue), len(shown), after))
    names = await campaign_names(context, shown)
    for view in shown:
        await send_card(context, who, view, names)
    await context.services.posts.mark_seen(view.id for view in shown)
    more = shown[-1].id if len(rest) > len(shown) else None
    await _send_footer(context, who, names, more)


async def _queue(context: BotContext) -> list[PostView]:
    """Every waiting post, oldest first (bounded: nobody pages through thousands)."""
    posts = context.services.posts
    items: list[PostView] = []
    while len(items) < MAX_QUEUE:
        page = await posts.pending_review(offset=len(items), limit=100)
        items += page.items
        if not page.items or not page.has_next:
            break
    return items


async def _after(context: BotContext, queue: list[PostView], after: int) -> list[PostView]:
    if not after:
        return queue
    try:
        cursor = await context.services.posts.get(after)
    except NotFound:
        return queue
    return [v for v in queue if (v.created_at, v.id) > (cursor.created_at, cursor.id)]


def _header(total: int, shown: int, after: int) -> str:
    plural = "s" if total != 1 else ""
    which = f"the next {shown}" if after else "oldest first"
    return f"<b>{total} post{plural} waiting for approval</b> ({which})"


async def _send_footer(
    context: BotContext, who: Who, names: dict[int, str], more: int | None
) -> None:
    posts = context.services.posts
    counts = [(cid, name, (await posts.pending_review(campaign_id=cid, limit=1)).total)
              for cid, name in names.items()]  # fmt: skip
    campaigns = [entry for entry in counts if entry[2] > 0]
    markup = footer_keyboard(campaigns, more)
    if markup is None:
        return
    lines = [f"{escape(campaign_label(cid, name))}: {n} waiting" for cid, name, n in campaigns]
    await send(context, who, "\n".join(lines) or "More posts are waiting:", markup)


async def on_button(update: Update, context: BotContext) -> None:
    query, key = key_of(update)
    who = Who.of(update)
    if key is None or key.kind != KIND:
        await refuse(query, context, "invalid", STALE)
    elif key.action in {"ap", crew_block.CONFIRM}:
        await _approve(query, context, who, key)
    elif key.action in {crew_block.REWRITE, crew_block.BACK, USE_DESIGN_PROMPT}:
        await post_crew.on_button(query, context, who, key)
    elif key.action == "rj":
        await _reject(query, context, who, key)
    elif key.action == "ed":
        await _start_edit(query, context, who, key)
    elif key.action == "all":
        await post_approve_all.approve_all(query, context, who, key.item_id)
    elif key.action == "next":
        await query.answer()
        await send_queue(context, who, key.item_id)
    else:
        await refuse(query, context, "invalid", STALE)


async def _approve(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    posts = context.services.posts
    try:
        current = await posts.get(key.item_id)
        if revision(current) != key.revision and not current.approved:
            await refuse(query, context, "stale", _changed(key.item_id), show_alert=True)
            await _refresh(query, context, who, current)
            return
        confirmed = key.action == crew_block.CONFIRM
        view = await posts.approve(key.item_id, who.user_id, confirmed=confirmed)
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await _refused(query, context, who, key.item_id, str(error))
        return
    except ComplianceUnconfirmed as error:
        await query.answer(str(error)[:200], show_alert=True)
        if query.message is not None:
            question = crew_block.CONFIRM_QUESTION
            await ask_confirmation(context, who, query.message.message_id, current, question)
        return
    await query.answer("Approved ✅")
    await _refresh(query, context, who, view)
    await review_cards.decided_here(
        context, query, ItemKind.POST, view.id, QueueAction.APPROVE, view.status
    )
    # A ready post needs only a time now: ask for it (or to keep the planned one).
    await schedule.offer_time(context, who.chat_id, view.id)


async def _reject(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    try:
        view = await context.services.posts.reject(key.item_id, who.user_id)
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await _refused(query, context, who, key.item_id, str(error))
        return
    await query.answer("Rejected")
    await _refresh(query, context, who, view)
    await review_cards.decided_here(
        context, query, ItemKind.POST, view.id, QueueAction.REJECT, view.status
    )


def _changed(post_id: int) -> str:
    return f"Post #{post_id} changed since this card was shown; check it again before approving."


async def _refused(
    query: CallbackQuery, context: BotContext, who: Who, post_id: int, reason: str
) -> None:
    await refuse(query, context, "stale", reason, show_alert=True)
    try:
        await _refresh(query, context, who, await context.services.posts.get(post_id))
    except NotFound:
        return


async def _refresh(query: CallbackQuery, context: BotContext, who: Who, view: PostView) -> None:
    if query.message is not None:
        await show_at(context, who, query.message.message_id, view)


async def _start_edit(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    if query.message is None:
        await refuse(query, context, "stale", "This card is too old to edit; use /approve.",
                     show_alert=True)  # fmt: skip
        return
    await query.answer()
    data = {"post_id": key.item_id, "message_id": query.message.message_id}
    await save(context, who, EDITING, data)
    await context.bot.send_message(
        who.chat_id,
        f"Send the new caption for post #{key.item_id} (without hashtags) as your next message, "
        "or /cancel.",
        reply_markup=ForceReply(input_field_placeholder="New caption"),
    )


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    """The reply to Edit: the post's new caption."""
    who, post_id = Who.of(update), int(state.data["post_id"])
    try:
        view = await context.services.posts.edit_caption(post_id, text_of(update), who.user_id)
    except ValidationFailed as error:
        await send(context, who, f"⚠️ {bullet_list(error.problems)}\nSend it again, or /cancel.")
        return
    except (InvalidTransition, NotFound) as error:
        await clear(context, who)
        await send(context, who, f"⚠️ {escape(str(error))} The edit was not applied.")
        return
    await clear(context, who)
    card = (who.chat_id, int(state.data["message_id"]))
    await show_at(context, who, card[1], view)
    await send(context, who, f"Caption of post #{post_id} updated; approve it when it reads right.")
    await review_cards.done_in_chat(context, update.effective_user, card, ItemKind.POST, post_id,
                                    QueueAction.EDIT, view.status)  # fmt: skip

""" "Approve all posts of campaign X": only once each waiting post has been shown.

Each post is approved with its own conditional update, so two admins tapping at once
approve every post exactly once between them, and whoever comes second is told.
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery

from core.errors import AlreadyDecided, InvalidTransition, NotFound
from core.posts.crew_gate import ComplianceUnconfirmed
from core.posts.views import PostView
from core.review_queue import QueueAction
from domain import statuses as states
from domain.crew import ItemKind
from handlers.common import review_cards
from handlers.common.context import BotContext
from handlers.common.dialog import Who, send
from handlers.schedule import command as schedule

# One card per ready post would flood the chat after approving a long campaign.
MAX_OFFERS = 3


async def approve_all(
    query: CallbackQuery, context: BotContext, who: Who, campaign_id: int
) -> None:
    try:
        campaign = await context.services.campaigns.get(campaign_id)
    except NotFound as error:
        await query.answer(str(error), show_alert=True)
        return
    waiting = _waiting(await context.services.posts.campaign_posts(campaign_id))
    unseen = [view for view in waiting if not view.seen]
    if not waiting:
        await query.answer(f"Every post of {campaign.name} is already decided.", show_alert=True)
    elif unseen:
        await query.answer(_unseen(len(unseen), len(waiting)), show_alert=True)
    else:
        await _approve(query, context, who, waiting, f"campaign #{campaign.id} {campaign.name}")


def _waiting(posts: tuple[PostView, ...]) -> list[PostView]:
    return [p for p in posts if not p.approved and states.parse(p.status) in states.APPROVABLE]


def _held(post_ids: list[int]) -> str:
    numbers = ", ".join(f"#{post_id}" for post_id in post_ids)
    return (
        f"🔴 Not approved: post {numbers}. The review crew flagged a compliance problem; "
        "open it in /approve, check it, then approve it on its card."
    )


def _unseen(unseen: int, waiting: int) -> str:
    return (
        f"{unseen} of the {waiting} waiting posts haven't been shown yet. "
        "Page through /approve to read them first, then tap again."
    )


async def _approve(
    query: CallbackQuery, context: BotContext, who: Who, posts: list[PostView], name: str
) -> None:
    approved: list[PostView] = []
    held: list[int] = []
    for view in posts:
        try:
            approved.append(await context.services.posts.approve(view.id, who.user_id))
        except (AlreadyDecided, InvalidTransition, NotFound):
            continue  # somebody else decided this one meanwhile
        except ComplianceUnconfirmed:
            held.append(view.id)  # a person must check it on its own card first
    if held:
        await send(context, who, _held(held))
    if not approved:
        if not held:
            await query.answer(f"Every post of {name} was already approved.", show_alert=True)
        else:
            await query.answer("Nothing approved: check the flagged posts first.")
        return
    await query.answer(f"Approved {len(approved)} posts ✅")
    await _show_on_cards(query, context, approved)
    plural = "s" if len(approved) != 1 else ""
    await send(context, who, f"✅ Approved {len(approved)} post{plural} of {escape(name)}.")
    await _offer_times(context, who, [v.id for v in approved if v.status == states.S.READY])


async def _show_on_cards(
    query: CallbackQuery, context: BotContext, approved: list[PostView]
) -> None:
    """Every recorded card of each approved post (this chat's /approve, another admin's)
    says so and loses its buttons, rather than offering an Approve that is refused."""
    if query.message is None:
        return
    here = (query.message.chat.id, query.message.message_id)  # the button's message
    for view in approved:
        await review_cards.done_in_chat(context, query.from_user, here, ItemKind.POST, view.id,
                                        QueueAction.APPROVE, view.status)  # fmt: skip


async def _offer_times(context: BotContext, who: Who, ready: list[int]) -> None:
    """Ask for the time of the first few ready posts; the rest are listed in /schedule."""
    for post_id in ready[:MAX_OFFERS]:
        await schedule.offer_time(context, who.chat_id, post_id)
    if len(ready) > MAX_OFFERS:
        rest = len(ready) - MAX_OFFERS
        what = "post: set its time" if rest == 1 else "posts: set their times"
        await send(context, who, f"{rest} more ready {what} in /schedule.")

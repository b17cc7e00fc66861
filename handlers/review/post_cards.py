"""A post card drawn or redrawn in /approve, with its buttons and its crew review.

A post is reviewed when its words change (edit, regenerate, the optimizer's rewrite) and,
for posts a campaign or the API created, when its card is first shown: the card then ticks
the crew's steps off (handlers.common.crew_progress) and shows the scores when they come.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from core.errors import NotFound
from core.memory.types import Match
from core.posts.crew_gate import CrewState
from core.posts.views import PostView
from domain import statuses as states
from domain.crew import ItemKind
from domain.memory import MemoryKind
from handlers.common import crew_progress, review_cards
from handlers.common.context import BotContext
from handlers.common.crew_block import (
    card_block,
    confirm_keyboard,
    crew_rows,
    room_for,
    with_rows,
)
from handlers.common.dialog import Who, edit, send, zone
from handlers.common.repeats import repeat_of, with_button, with_warning
from handlers.review.post_views import (
    KIND,
    campaign_label,
    card_keyboard,
    design_rows,
    post_card,
    revision,
)


async def send_card(
    context: BotContext, who: Who, view: PostView, names: dict[int, str] | None = None
) -> None:
    names = names if names is not None else await campaign_names(context, (view,))
    state = await context.services.posts.crew(view)
    repeat = await _repeat(context, view)
    html, markup = _render(context, view, names, state, repeat=repeat)
    sent = await send(context, who, html, markup)
    await _shown(context, who, sent.message_id, view)
    _follow(context, who, sent.message_id, view, state)


async def show_at(
    context: BotContext,
    who: Who,
    message_id: int,
    view: PostView,
    *,
    note: str = "",
    buttons: bool = True,
    retry: bool = False,
) -> None:
    """Redraw a card in place; `note` (HTML) goes under it, `buttons=False` takes them off."""
    names = await campaign_names(context, (view,))
    state = await context.services.posts.crew(view)
    repeat = await _repeat(context, view)
    html, markup = _render(context, view, names, state, note=note, retry=retry, repeat=repeat)
    await edit(context, who, message_id, html, markup if buttons else None)
    await _shown(context, who, message_id, view)
    if buttons:
        _follow(context, who, message_id, view, state, note=note)
    else:
        crew_progress.stop(context, who.chat_id, message_id)


async def ask_confirmation(
    context: BotContext, who: Who, message_id: int, view: PostView, question: str
) -> None:
    """Approve met an unconfirmed compliance failure: the card asks before approving."""
    crew_progress.stop(context, who.chat_id, message_id)
    names = await campaign_names(context, (view,))
    state = await context.services.posts.crew(view)
    html, _ = _render(
        context, view, names, state, note=question, repeat=await _repeat(context, view)
    )
    await edit(context, who, message_id, html, confirm_keyboard(KIND, view.id, revision(view)))


async def campaign_names(context: BotContext, views: Sequence[PostView]) -> dict[int, str]:
    ids = sorted({v.campaign_id for v in views if v.campaign_id is not None})
    return {cid: (await context.services.campaigns.get(cid)).name for cid in ids}


async def _shown(context: BotContext, who: Who, message_id: int, view: PostView) -> None:
    await review_cards.shown(context, who.chat_id, message_id, ItemKind.POST, view.id,
                             revision(view))  # fmt: skip


async def _repeat(context: BotContext, view: PostView) -> Match | None:
    """The near-repeat warning, for a post whose words may still change."""
    if states.parse(view.status) not in states.EDITABLE:
        return None
    repeats = context.services.repeats
    origins = await repeats.post_origins(view.id, view.suggestion_id)
    return await repeat_of(
        context, MemoryKind.POST, view.id, view.caption, persona_id=view.persona_id,
        origins=origins,
    )  # fmt: skip


def _label(view: PostView, names: dict[int, str]) -> str | None:
    cid = view.campaign_id
    return campaign_label(cid, names[cid]) if cid is not None and cid in names else None


def _render(
    context: BotContext,
    view: PostView,
    names: dict[int, str],
    state: CrewState,
    *,
    note: str = "",
    retry: bool = False,
    stopped: bool = False,
    repeat: Match | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    editable = states.parse(view.status) in states.EDITABLE
    label = _label(view, names)
    note = with_warning(note, repeat)
    room = room_for(post_card(view, zone(context), label, note))
    crew = card_block(state, stopped=stopped, open_=editable, budget=room)
    html = post_card(view, zone(context), label, note, crew=crew)
    markup = card_keyboard(view, retry=retry)
    if editable:
        rows = crew_rows(KIND, view.id, revision(view), state) + design_rows(view, state)
        markup = with_button(with_rows(markup, rows), repeat)
    return html, markup


def _follow(
    context: BotContext, who: Who, message_id: int, view: PostView, state: CrewState, note: str = ""
) -> None:
    """Tick the card while its crew works, as long as it shows these words."""

    async def redraw(stopped: bool) -> bool:
        try:
            now = await context.services.posts.get(view.id)
        except NotFound:
            return False
        if revision(now) != revision(view) or now.status != view.status:
            return False  # changed or moved on: whoever did it drew the card
        names = await campaign_names(context, (now,))
        fresh = await context.services.posts.crew(now)
        repeat = await _repeat(context, now)
        html, markup = _render(
            context, now, names, fresh, note=note, stopped=stopped, repeat=repeat
        )
        await edit(context, who, message_id, html, markup)
        return True

    crew_progress.watch(context, who.chat_id, message_id, state.review, redraw)

"""Showing a flow: the card (summary + buttons), then its diagram and its JSON.

The card is the message the person acted on (the "⏳ Designing…" message, or the old card
after 🔄 Regenerate), edited in place; the picture and the file follow it as messages of
their own. The diagram is drawn by whatever DiagramRenderer the bot was given (Graphviz's
`dot` in a subprocess with a time limit); when it can't be drawn, the card says why and
everything else is shown all the same.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace

from telegram import InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode

from core.flows.diagram import DiagramUnavailable, fits_a_photo
from core.flows.views import FlowVersionView, FlowView
from core.posts.crew_gate import CrewState
from domain.flow_status import FlowStatus
from handlers.common import crew_block, crew_progress
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, send, zone
from handlers.flow import views
from handlers.flow.diagram import dot_source
from handlers.flow.keyboards import KIND, card_keyboard

log = logging.getLogger(__name__)


async def present(
    context: BotContext, who: Who, message_id: int | None, view: FlowView,
    *, note: str | None = None,
) -> None:  # fmt: skip
    """The card at `message_id` (or as a new message), then the picture and the JSON."""
    png, problem = await draw(context, view.current)
    await show_card(context, who, message_id, view, diagram_note=problem, note=note)
    current = view.current
    if png is not None:
        await send_diagram(context, who, view.id, current.version, png)
    await send_json(context, who, current, caption="🧾 The flow as JSON, as the API returns it")


async def send_diagram(
    context: BotContext, who: Who, flow_id: int, version: int, png: bytes
) -> None:
    """As a photo; a picture too long or too large for one goes as a file."""
    picture = InputFile(png, filename=f"sms-flow-{flow_id}-v{version}.png")
    caption = views.diagram_caption(flow_id, version)
    if fits_a_photo(png):
        await context.bot.send_photo(who.chat_id, picture, caption=caption)
    else:
        await context.bot.send_document(who.chat_id, picture, caption=caption)


async def show_card(
    context: BotContext, who: Who, message_id: int | None, view: FlowView,
    *, diagram_note: str | None = None, note: str | None = None, decider: str | None = None,
    confirm: bool = False,
) -> None:  # fmt: skip
    """`decider`: the name of whoever just decided it (the card names them). `confirm`:
    ask "Approve anyway?" under a compliance failure instead of the card's buttons.

    While the review crew works on the version shown, the card ticks its steps off and
    then shows the scores (handlers.common.crew_progress)."""
    shown = Shown(view, diagram_note, note, decider, confirm)
    state = await context.services.flows.crew(view)
    text, markup = _render(context, shown, state)
    if message_id is None:
        message_id = (await send(context, who, text, markup)).message_id
    else:
        await edit(context, who, message_id, text, markup)
    _follow(context, who, message_id, shown, state)


@dataclass(frozen=True)
class Shown:
    """What a card was drawn with, so the crew's progress redraws it the same way."""

    view: FlowView
    diagram_note: str | None
    note: str | None
    decider: str | None
    confirm: bool


def _render(
    context: BotContext, shown: Shown, state: CrewState, *, stopped: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    view = shown.view
    decided = views.decided(view, shown.decider, zone(context))

    def text(crew: str) -> str:
        return views.card(view, diagram_note=shown.diagram_note, note=shown.note,
                          decided=decided, crew=crew)  # fmt: skip

    # open_=False: a flow takes no ✨ rewrite (core.flows.crew), so none is offered.
    room = crew_block.room_for(text(""))
    block = crew_block.card_block(state, stopped=stopped, open_=False, budget=room)
    version = view.current.version
    if shown.confirm:
        return text(block), crew_block.confirm_keyboard(KIND, view.id, version)
    draft = view.status == FlowStatus.DRAFT
    markup = card_keyboard(view.id, version, draft=draft, exported=view.approved_version)
    return text(block), markup


def _follow(context: BotContext, who: Who, message_id: int, shown: Shown, state: CrewState) -> None:
    """While the crew works on the version this card shows, tick its steps off here."""
    flows = context.services.flows

    async def again(stopped: bool) -> bool:
        view = await flows.get(shown.view.id)
        before = shown.view
        if (view.current.version, view.status) != (before.current.version, before.status):
            return False  # the card moved on: whatever changed it redraws it
        now = replace(shown, view=view)
        text, markup = _render(context, now, await flows.crew(view), stopped=stopped)
        await edit(context, who, message_id, text, markup)
        return True

    crew_progress.watch(context, who.chat_id, message_id, state.review, again)


async def draw(context: BotContext, version: FlowVersionView) -> tuple[bytes | None, str | None]:
    """The diagram as PNG, or None and the sentence saying why there is none."""
    try:
        return await context.services.diagrams.render_png(dot_source(version)), None
    except DiagramUnavailable as error:
        log.info("flow %s drawn without a diagram: %s", version.flow_id, error)
        return None, str(error)


async def send_json(
    context: BotContext, who: Who, version: FlowVersionView, *, caption: str,
    approved: bool = False,
) -> None:  # fmt: skip
    data = json.dumps(version.as_json(), ensure_ascii=False, indent=2).encode("utf-8")
    name = views.file_name(version.flow_id, version.version, approved=approved)
    await context.bot.send_document(
        who.chat_id, InputFile(data, filename=name), caption=caption, parse_mode=ParseMode.HTML
    )

"""The card's buttons: ✅ Approve, ❌ Reject, 🔄 Regenerate, ✏️ Edit description, ▶️ Try it,
⬇️ Export JSON; a listed flow's button; the Try it walk's own buttons; and, when the review
crew flagged a compliance problem, "✅ Approve anyway — I checked it" and "↩️ Not yet".

A button names the version its card showed. Approving, rejecting or regenerating an older
version than the current one, or deciding a decided one, is refused (core checks it too, in
one conditional update, so a double tap or a second admin makes one change).
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery

from core.flows.views import FlowView
from core.posts.crew_gate import ComplianceUnconfirmed
from handlers.common import crew_block
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, edit, message_id_of, save, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.flow import card, designing, trying, views
from handlers.flow.keyboards import APPROVE, EDIT, EXPORT, REGENERATE, REJECT, SHOW, TRY

EDIT_STATE = "flow:edit"
OLD_CARD = "This card shows an older version of the flow. /flow shows the current one."
BUSY = "⏳ A new version of this flow is being designed already; it shows up in a moment."


async def approve(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """✅ Approve, and "Approve anyway — I checked it" (`ac`) after a compliance failure."""
    confirmed = key.action == crew_block.CONFIRM
    try:
        view = await context.services.flows.approve(
            key.item_id, user_id=who.user_id, version=key.revision, confirmed=confirmed
        )
    except ComplianceUnconfirmed as error:  # the card asks before approving
        await query.answer(str(error)[:200], show_alert=True)
        view = await context.services.flows.get(key.item_id)
        await card.show_card(context, who, message_id_of(query), view,
                             note=crew_block.CONFIRM_QUESTION, confirm=True)  # fmt: skip
        return
    await query.answer(f"✅ Version {key.revision} approved. ⬇️ Export JSON gives the file.")
    await card.show_card(context, who, message_id_of(query), view, decider=_name(query))


async def back(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """↩️ Not yet, under "Approve anyway?": the card as it is, with its buttons."""
    view = await context.services.flows.get(key.item_id)
    await query.answer()
    await card.show_card(context, who, message_id_of(query), view)


async def reject(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """❌ Reject: the card's version, once (core's conditional update, as ✅ Approve's)."""
    view = await context.services.flows.reject(key.item_id, user_id=who.user_id,
                                               version=key.revision)  # fmt: skip
    await query.answer(f"🗑 Version {key.revision} rejected. 🔄 Regenerate or ✏️ Edit "
                       "description for a new one.")  # fmt: skip
    await card.show_card(context, who, message_id_of(query), view, decider=_name(query))


async def regenerate(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    view = await _current(query, context, key)
    message_id = message_id_of(query)
    if view is None or message_id is None:
        return
    if not designing.claim(context, view.id):
        await refuse(query, context, "stale", BUSY, show_alert=True)
        return
    await query.answer(f"Designing version {view.current.version + 1}…")
    busy = views.REGENERATING.format(version=view.current.version + 1, flow_id=view.id)
    await edit(context, who, message_id, busy)
    designing.regenerate(context, who, message_id, view.id, view.current.version)


async def start_edit(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """✏️ Edit description: the next message is the new description (a new version)."""
    view = await _current(query, context, key)
    if view is None:
        return
    await query.answer()
    await save(context, who, EDIT_STATE, {"flow_id": view.id, "version": key.revision})
    await send(context, who, f"✏️ <b>Send the new description for flow #{view.id}</b>, "
               f"or /cancel.\nNow: <i>{escape(view.description)}</i>")  # fmt: skip


async def try_it(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    version = await context.services.flows.version(key.item_id, key.revision)
    await query.answer()
    await trying.show(context, who, None, version, "")


async def walk(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, choices: str
) -> None:
    version = await context.services.flows.version(key.item_id, key.revision)
    try:
        await trying.show(context, who, message_id_of(query), version, choices)
    except trying.WalkOutdated:  # no button of ours carries these choices
        await refuse(query, context, "invalid")
        return
    await query.answer()


async def export(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """The approved version's JSON (the one approved, even after newer drafts)."""
    version = await context.services.flows.export(key.item_id)
    await query.answer()
    caption = f"⬇️ Approved SMS flow #{version.flow_id}, version {version.version}"
    await card.send_json(context, who, version, caption=caption, approved=True)


async def show(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    view = await context.services.flows.get(key.item_id)
    await query.answer()
    await card.present(context, who, None, view)


def _name(query: CallbackQuery) -> str:
    return query.from_user.first_name


async def _current(query: CallbackQuery, context: BotContext, key: CallbackKey) -> FlowView | None:
    """The flow, if the card's version is still its current one (else refused as stale)."""
    view = await context.services.flows.get(key.item_id)
    if view.current.version != key.revision:
        await refuse(query, context, "stale", OLD_CARD, show_alert=True)
        return None
    return view


BUTTONS: dict[str, Button] = {
    APPROVE: approve,
    crew_block.CONFIRM: approve,
    crew_block.BACK: back,
    REJECT: reject,
    REGENERATE: regenerate,
    EDIT: start_edit,
    TRY: try_it,
    EXPORT: export,
    SHOW: show,
}

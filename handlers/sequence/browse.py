"""/sequence with sequences stored: the list, one sequence's view (next emails, deliveries),
its per-recipient send log, and ⏸ Pause / ▶️ Resume."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import CallbackQuery

from core.errors import Conflict, NotFound
from core.sequences.views import SequenceDetail, SequenceView
from domain.mailing import DeliveryStatus
from domain.sequences import SequenceStatus
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, message_id_of, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse, refuse_error
from handlers.sequence import flow
from handlers.sequence.keyboards import detail_keyboard, list_keyboard, log_keyboard
from handlers.sequence.views import detail_text, log_text, sequence_list

LISTED = 20
LOG_PAGE = 25
# What the send log lists first: a bounce, a failure, an unknown outcome, an unsubscribed
# address.
TROUBLE = (DeliveryStatus.BOUNCED, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN,
           DeliveryStatus.SUPPRESSED)  # fmt: skip


async def show_list(context: BotContext, who: Who, views: tuple[SequenceView, ...]) -> None:
    names = [(view.id, view.name) for view in views]
    await send(context, who, sequence_list(views), list_keyboard(names))


async def new(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await query.answer()
    await flow.start(context, who)


async def listing(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await query.answer()
    views = await context.services.sequences.recent(limit=LISTED)
    message_id = message_id_of(query)
    names = [(view.id, view.name) for view in views]
    if message_id is not None:
        await edit(context, who, message_id, sequence_list(views), list_keyboard(names))


async def view(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    detail = await _detail(query, context, key.item_id)
    if detail is not None:
        await query.answer()
        await _show(context, who, query, detail)


async def send_log(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """Each recipient and what was sent to them; failures and bounces first."""
    detail = await _detail(query, context, key.item_id)
    message_id = message_id_of(query)
    if detail is None or message_id is None:
        return
    await query.answer()
    page = max(0, key.revision)
    rows = sorted(detail.recipients, key=lambda r: (-_trouble(r.deliveries), r.email))
    shown = rows[page * LOG_PAGE : (page + 1) * LOG_PAGE]
    has_next = len(rows) > (page + 1) * LOG_PAGE
    await edit(context, who, message_id, log_text(detail, shown, page * LOG_PAGE, len(rows)),
               log_keyboard(detail.sequence.id, page, has_next))  # fmt: skip


async def pause(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await _move(query, context, who, key, pausing=True)


async def resume(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await _move(query, context, who, key, pausing=False)


async def _move(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, *, pausing: bool
) -> None:
    sequences = context.services.sequences
    try:
        await (sequences.pause if pausing else sequences.resume)(key.item_id)
        detail = await sequences.get(key.item_id)
    except (Conflict, NotFound) as error:
        await refuse_error(query, context, error)
        return
    await query.answer("Paused ⏸" if pausing else "Resumed ▶️")
    await _show(context, who, query, detail)


async def _detail(
    query: CallbackQuery, context: BotContext, sequence_id: int
) -> SequenceDetail | None:
    try:
        return await context.services.sequences.get(sequence_id)
    except NotFound as error:
        await refuse(query, context, "stale", str(error), show_alert=True)
        return None


async def _show(
    context: BotContext, who: Who, query: CallbackQuery, detail: SequenceDetail
) -> None:
    now = context.services.clock.now()
    sequence = detail.sequence
    markup = detail_keyboard(
        sequence.id,
        paused=sequence.status == SequenceStatus.PAUSED,
        finished=sequence.status == SequenceStatus.FINISHED,
    )
    problems = await context.services.delivery_log.problems(sequence.id)
    html = detail_text(detail, delivery_totals(detail), problems, now)
    message_id = message_id_of(query)
    if message_id is None:
        await send(context, who, html, markup)
    else:
        await edit(context, who, message_id, html, markup)


def delivery_totals(detail: SequenceDetail) -> dict[str, int]:
    totals: dict[str, int] = {}
    for recipient in detail.recipients:
        for status, count in recipient.deliveries.items():
            totals[status] = totals.get(status, 0) + count
    return totals


def _trouble(deliveries: Mapping[str, int]) -> int:
    return sum(deliveries.get(status, 0) for status in TROUBLE)

"""Sequence emails in /approve: a section of cards (✅ Approve, ✏️ Edit, 🔄 Regenerate,
🗑 Reject), and "✅ Approve the rest of this week" per sequence.

Showing a card records that the email was seen; approving the rest of the week approves
only the seen ones (core.sequences.review.approve_week), so nothing is approved unread.
Every decision is a conditional update on the email's revision in core: a tap on a card
showing older words, a double tap or a second admin is refused and the card redrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import CallbackQuery, InlineKeyboardMarkup

from core.errors import AlreadyDecided, CopilotError, NotFound
from core.sequences.views import SequenceEmailView
from domain.sequences import SequenceEmailStatus
from handlers.common.context import BotApplication, BotContext
from handlers.common.dialog import Who, edit, message_id_of, send, zone
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse_error
from handlers.common.review_sections import ReviewSection, add_section
from handlers.sequence.keyboards import email_keyboard, held_keyboard, week_keyboard
from handlers.sequence.views import email_card, plural

PAGE_SIZE = 5
MAX_QUEUE = 100  # core's page limit; more than this waits for the next /approve
DECIDED = {
    SequenceEmailStatus.APPROVED: "✅ Approved — it goes out at its time",
    SequenceEmailStatus.REJECTED: "🗑 Rejected — it will not be sent",
}


def register(app: BotApplication) -> None:
    add_section(app, ReviewSection("sequence emails", waiting, show))


async def waiting(context: BotContext) -> int:
    return len(await context.services.sequence_review.pending_review(limit=MAX_QUEUE))


async def show(context: BotContext, who: Who, after: int = 0) -> None:
    """The soonest-due waiting emails (after the email `after`, when paging)."""
    queue = list(await context.services.sequence_review.pending_review(limit=MAX_QUEUE))
    rest = _after(queue, after)
    if not rest:
        return
    shown = rest[:PAGE_SIZE]
    which = "the next" if after else "soonest due first"
    await send(context, who, f"<b>{plural(len(queue), 'sequence email')} waiting for approval"
                             f"</b> ({which})")  # fmt: skip
    for email in shown:
        await send(context, who, email_card(email, zone(context)), card_keyboard(email))
    await context.services.sequence_review.mark_seen([email.id for email in shown])
    more = shown[-1].id if len(rest) > len(shown) else None
    markup = week_keyboard(_weeks(shown), more)
    if markup is not None:
        await send(context, who, "Approve what you have read, a week at a time:", markup)


def _after(queue: list[SequenceEmailView], after: int) -> list[SequenceEmailView]:
    ids = [email.id for email in queue]
    return queue[ids.index(after) + 1 :] if after in ids else queue


def _weeks(shown: Sequence[SequenceEmailView]) -> list[tuple[int, str]]:
    """The sequences with a pending card on this page (held ones are decided one by one)."""
    pending = [e for e in shown if e.status == SequenceEmailStatus.PENDING]
    return list(dict.fromkeys((email.sequence_id, email.sequence_name) for email in pending))


def card_keyboard(email: SequenceEmailView) -> InlineKeyboardMarkup | None:
    if email.status == SequenceEmailStatus.HELD:
        return held_keyboard(email.id, email.revision)
    if email.status == SequenceEmailStatus.PENDING:
        return email_keyboard(email.id, email.revision)
    return None


async def redraw(
    context: BotContext,
    who: Who,
    message_id: int,
    email: SequenceEmailView,
    note: str = "",
    *,
    buttons: bool = True,
) -> None:
    """The card as the email is now; `note` (HTML) under it, `buttons=False` takes them off."""
    if not note and email.status == SequenceEmailStatus.APPROVED and email.held_at is not None:
        note = "✅ Approved — it was held, so it goes out now"
    note = note or DECIDED.get(SequenceEmailStatus(email.status), "")
    html = email_card(email, zone(context), note)
    await edit(context, who, message_id, html, card_keyboard(email) if buttons else None)


async def approve(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    review = context.services.sequence_review
    try:
        email = await review.approve(key.item_id, key.revision, who.user_id)
    except (AlreadyDecided, NotFound) as error:
        await _refused(query, context, who, key.item_id, error)
        return
    await query.answer("Approved ✅")
    await _redraw_at(query, context, who, email)


async def skip(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """⏭ Skip on a held email, 🗑 Reject on a card: never sent; the sequence goes on."""
    try:
        email = await context.services.sequence_review.reject(
            key.item_id, key.revision, who.user_id
        )
    except (AlreadyDecided, NotFound) as error:
        await _refused(query, context, who, key.item_id, error)
        return
    await query.answer("Rejected")
    await _redraw_at(query, context, who, email)


async def approve_week(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    approved = await context.services.sequence_review.approve_week(key.item_id, who.user_id)
    if not approved:
        await query.answer(
            "Nothing to approve: this week's emails of that sequence are decided, or not "
            "shown to you yet (page through /approve first).", show_alert=True,
        )  # fmt: skip
        return
    await query.answer(f"Approved {len(approved)} ✅")
    numbers = ", ".join(f"#{email.number}" for email in approved)
    name = escape(approved[0].sequence_name)
    what = plural(len(approved), "email")
    await send(context, who, f"✅ Approved {what} of {name} due this week: {numbers}.")


async def next_page(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await query.answer()
    await show(context, who, key.item_id)


async def _redraw_at(
    query: CallbackQuery, context: BotContext, who: Who, email: SequenceEmailView
) -> None:
    message_id = message_id_of(query)
    if message_id is not None:
        await redraw(context, who, message_id, email)


async def _refused(
    query: CallbackQuery, context: BotContext, who: Who, email_id: int, error: CopilotError
) -> None:
    """Refused (changed, decided or gone meanwhile): say so, and show what is there now."""
    await refuse_error(query, context, error)
    try:
        email = await context.services.sequence_review.email(email_id)
    except NotFound:
        return
    await _redraw_at(query, context, who, email)

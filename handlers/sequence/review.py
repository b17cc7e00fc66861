"""Sequence emails in /approve: a section of cards (✅ Approve, ✏️ Edit, 🔄 Regenerate,
🗑 Reject), and "✅ Approve the rest of this week" per sequence.

Showing a card records that the email was seen; approving the rest of the week approves
only the seen ones (core.sequences.review.approve_week), so nothing is approved unread.
Every decision is a conditional update on the email's revision in core: a tap on a card
showing older words, a double tap or a second admin is refused and the card redrawn.

Each card carries the review crew's verdict on the email's words: progress ticking off
while it works (handlers.common.crew_progress), then the scores and, under the brand's
bar, ✨ Apply optimizer rewrite. ✅ Approve on an email with an unconfirmed compliance
failure turns its card into "Approve anyway?" (core refuses the approval until then), and
the week's button leaves such emails for their cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import CallbackQuery, InlineKeyboardMarkup

from core.errors import AlreadyDecided, CopilotError, NotFound
from core.memory.record import sequence_email_item
from core.memory.types import Match
from core.posts.crew_gate import ComplianceUnconfirmed, CrewState
from core.review_queue import QueueAction
from core.sequences.views import SequenceEmailView
from domain.crew import ItemKind
from domain.sequences import REVIEWABLE, SequenceEmailStatus
from handlers.common import crew_block, crew_progress, review_cards
from handlers.common.context import BotApplication, BotContext
from handlers.common.dialog import Who, edit, message_id_of, send, zone
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse_error
from handlers.common.repeats import repeat_of, with_button, with_warning
from handlers.common.review_sections import ReviewSection, add_section
from handlers.sequence.keyboards import (
    EMAIL_KIND,
    email_keyboard,
    held_keyboard,
    week_keyboard,
)
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
        state = await context.services.sequence_review.crew(email)
        html, markup = render(context, email, state, repeat=await _repeat(context, email))
        sent = await send(context, who, html, markup)
        await _shown(context, who, sent.message_id, email)
        _follow(context, who, sent.message_id, email, state)
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


def render(
    context: BotContext,
    email: SequenceEmailView,
    state: CrewState,
    note: str = "",
    *,
    stopped: bool = False,
    repeat: Match | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card's HTML (with the crew's block) and its buttons (with ✨ when offered);
    `repeat`: the near-repeat warning and its "👀 See earlier"."""
    open_ = email.status in REVIEWABLE  # a decided email's words are final: no ✨
    block = crew_block.card_block(state, stopped=stopped, open_=open_)
    html = email_card(email, zone(context), with_warning(note, repeat), crew=block)
    rows = crew_block.crew_rows(EMAIL_KIND, email.id, email.revision, state) if open_ else []
    return html, with_button(crew_block.with_rows(card_keyboard(email), rows), repeat)


async def _repeat(context: BotContext, email: SequenceEmailView) -> Match | None:
    """The near-repeat warning, for an email waiting for a decision."""
    if email.status not in REVIEWABLE or email.body_text is None:
        return None
    item = sequence_email_item(
        email.id, email.number, email.sequence_name, email.subject, email.body_text
    )
    return await repeat_of(context, item.kind, email.id, item.text)


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
    state = await context.services.sequence_review.crew(email)
    repeat = await _repeat(context, email) if buttons else None
    html, markup = render(context, email, state, note, repeat=repeat)
    await edit(context, who, message_id, html, markup if buttons else None)
    await _shown(context, who, message_id, email)
    if buttons:
        _follow(context, who, message_id, email, state, note)
    else:  # being rewritten: whatever the crew says of the old words is moot
        crew_progress.stop(context, who.chat_id, message_id)


async def _shown(context: BotContext, who: Who, message_id: int, email: SequenceEmailView) -> None:
    kind = ItemKind.SEQUENCE_EMAIL
    await review_cards.shown(context, who.chat_id, message_id, kind, email.id, email.revision)


def _follow(
    context: BotContext,
    who: Who,
    message_id: int,
    shown: SequenceEmailView,
    state: CrewState,
    note: str = "",
) -> None:
    """While the crew works on the words this card shows, tick its steps off here."""
    review = context.services.sequence_review

    async def again(stopped: bool) -> bool:
        email = await review.email(shown.id)
        if email.revision != shown.revision or email.status != shown.status:
            return False  # the card moved on: whatever changed it redraws it
        state, repeat = await review.crew(email), await _repeat(context, email)
        html, markup = render(context, email, state, note, stopped=stopped, repeat=repeat)
        await edit(context, who, message_id, html, markup)
        return True

    crew_progress.watch(context, who.chat_id, message_id, state.review, again)


async def approve(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """✅ Approve (and ✅ Approve & send now on a held email; `ac`, "Approve anyway — I
    checked it", after a compliance failure)."""
    review = context.services.sequence_review
    confirmed = key.action == crew_block.CONFIRM
    try:
        email = await review.approve(key.item_id, key.revision, who.user_id, confirmed=confirmed)
    except ComplianceUnconfirmed as error:
        await _ask_confirmation(query, context, who, key, error)
        return
    except (AlreadyDecided, NotFound) as error:
        await _refused(query, context, who, key.item_id, error)
        return
    await query.answer("Approved ✅")
    await _redraw_at(query, context, who, email)
    await _decided_here(context, query, email, QueueAction.APPROVE)


async def _ask_confirmation(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, error: CopilotError
) -> None:
    """Approve met an unconfirmed compliance failure: the card asks before approving."""
    message_id = message_id_of(query)
    await query.answer(str(error)[:200], show_alert=True)
    if message_id is None:
        return
    email = await context.services.sequence_review.email(key.item_id)
    crew_progress.stop(context, who.chat_id, message_id)
    state = await context.services.sequence_review.crew(email)
    html, _ = render(context, email, state, crew_block.CONFIRM_QUESTION)
    markup = crew_block.confirm_keyboard(EMAIL_KIND, email.id, email.revision)
    await edit(context, who, message_id, html, markup)


async def back(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """↩️ Not yet, under "Approve anyway?": the card as it is, with its buttons."""
    try:
        email = await context.services.sequence_review.email(key.item_id)
    except NotFound as error:
        await refuse_error(query, context, error)
        return
    await query.answer()
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
    await _decided_here(context, query, email, QueueAction.REJECT)


async def _decided_here(
    context: BotContext, query: CallbackQuery, email: SequenceEmailView, action: QueueAction
) -> None:
    kind = ItemKind.SEQUENCE_EMAIL
    await review_cards.decided_here(context, query, kind, email.id, action, email.status)


async def approve_week(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    review = context.services.sequence_review
    approved = await review.approve_week(key.item_id, who.user_id)
    unchecked = await review.needs_check(key.item_id)
    if approved:
        await query.answer(f"Approved {len(approved)} ✅")
        for email in approved:  # their cards (this chat's, another admin's) say so
            await _decided_here(context, query, email, QueueAction.APPROVE)
        numbers = ", ".join(f"#{email.number}" for email in approved)
        name = escape(approved[0].sequence_name)
        what = plural(len(approved), "email")
        await send(context, who, f"✅ Approved {what} of {name} due this week: {numbers}.")
    elif unchecked:
        await query.answer("Nothing approved: see why below.")
    else:
        await query.answer(
            "Nothing to approve: this week's emails of that sequence are decided, or not "
            "shown to you yet (page through /approve first).", show_alert=True,
        )  # fmt: skip
    if unchecked:
        numbers = ", ".join(f"#{email.number}" for email in unchecked)
        await send(context, who, f"🔴 Left for you: {numbers}. The review crew flagged a "
                                 "compliance problem; check each on its card and approve it "
                                 "there.")  # fmt: skip


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

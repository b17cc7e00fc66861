"""✏️ Edit and 🔄 Regenerate on a sequence email's card.

Edit waits for the next message: `Subject: …` on its first line changes the subject, the
rest (or the whole message) is the new body. Regenerate asks the model for a new text in
a background task (a model call takes seconds; neither this chat nor any other waits),
the card saying so with its buttons off meanwhile. Both are conditional on the revision
the card showed: an email changed or decided meanwhile keeps its words. ✨ Apply optimizer
rewrite (the review crew's) takes ✏️ Edit's path in core: the body changes, the subject
stays, and the new words are reviewed again.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery, ForceReply, Update, User

from core.conversations import Conversation
from core.errors import AlreadyDecided, CopilotError, NotFound, ValidationFailed
from core.inflight import CardKind
from core.review_queue import QueueAction
from domain.crew import ItemKind
from domain.sequences import REVIEWABLE
from handlers.common import review_cards
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, message_id_of, save, send, text_of
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse, refuse_error
from handlers.common.telegram_io import typing
from handlers.common.views import INTERRUPTED
from handlers.sequence.review import redraw
from handlers.sequence.steps import PREFIX

EDITING = PREFIX + "edit_email"
WRITING = "✍️ Writing a new version of this email…"
REWRITTEN = "🔄 A new version from the model: approve it when it reads right."
APPLIED = "✨ The optimizer's rewrite is the text now; the crew checks it again."
BUSY = "Already writing a new version of this email…"
INTERRUPTED_WRITING = (
    "⚠️ Writing a new version was interrupted by a restart; it is written again shortly "
    "(see /approve)."
)


def read_edit(text: str) -> dict[str, Any]:
    """`Subject: …` first line → subject (and the rest, if any, the body); else the body."""
    first, _, rest = text.strip().partition("\n")
    if first.lower().startswith("subject:"):
        subject = first.split(":", 1)[1].strip()
        return {"subject": subject, "body_text": rest.strip() or None}
    return {"subject": None, "body_text": text.strip()}


async def start_edit(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    message_id = message_id_of(query)
    if message_id is None:
        await refuse(query, context, "stale", "This card is too old to edit; use /approve.",
                     show_alert=True)  # fmt: skip
        return
    await query.answer()
    data = {"email_id": key.item_id, "revision": key.revision, "message_id": message_id}
    await save(context, who, EDITING, data)
    await context.bot.send_message(
        who.chat_id,
        "Send the new text of this email as your next message. Start with a line "
        "“Subject: …” to change the subject too (a subject line alone changes only it). "
        "/cancel keeps it as it is.",
        reply_markup=ForceReply(input_field_placeholder="Subject: …"),
    )


async def on_edit_text(update: Update, context: BotContext, state: Conversation) -> None:
    who, data = Who.of(update), state.data
    change = read_edit(text_of(update))
    try:
        email = await context.services.sequence_review.edit(
            int(data["email_id"]), int(data["revision"]), who.user_id, **change
        )
    except ValidationFailed as error:
        await send(context, who, f"⚠️ {bullet_list(error.problems)}\nSend it again, or /cancel.")
        return
    except (AlreadyDecided, NotFound) as error:
        await clear(context, who)
        await send(context, who, f"⚠️ {escape(str(error))} The edit was not applied.")
        return
    await clear(context, who)
    card = (who.chat_id, int(data["message_id"]))
    await redraw(context, who, card[1], email)
    await send(context, who, f"Email #{email.number} updated; approve it when it reads right.")
    await review_cards.done_in_chat(context, update.effective_user, card, ItemKind.SEQUENCE_EMAIL,
                                    email.id, QueueAction.EDIT, email.status)  # fmt: skip


async def regenerate(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """🔄 Regenerate: the card is claimed in core.inflight (as a post's 🔄 is), so a second
    tap, another admin or the Mini App starts no second model call, and a restart mid-call
    puts the card back (`restore`)."""
    message_id = message_id_of(query)
    if message_id is None:
        await refuse(query, context, "stale", "This card is too old; use /approve.",
                     show_alert=True)  # fmt: skip
        return
    cards = context.services.cards
    claim = await cards.claim(
        CardKind.SEQUENCE_EMAIL, key.item_id, chat_id=who.chat_id, message_id=message_id,
        user_id=who.user_id,
    )  # fmt: skip
    if claim is None:  # a second tap before the card changed, another admin, the Mini App
        await query.answer(BUSY)
        return
    try:
        await _start(query, context, who, (message_id, claim), key)
    except BaseException:
        await cards.release(claim)
        raise


async def _start(
    query: CallbackQuery,
    context: BotContext,
    who: Who,
    card: tuple[int, int],
    key: CallbackKey,
) -> None:
    """`card`: the card's message id and its claim, handed to the writing task (or
    released here when the card is stale)."""
    (message_id, claim), review = card, context.services.sequence_review
    try:
        current = await review.email(key.item_id)
        if current.revision != key.revision:
            raise AlreadyDecided(f"Email #{current.number} changed since this card was shown.")
    except (AlreadyDecided, NotFound) as error:
        await context.services.cards.release(claim)
        await refuse_error(query, context, error)
        return
    await query.answer("Writing a new version…")
    await redraw(context, who, message_id, current, note=WRITING, buttons=False)
    context.application.create_task(
        _rewrite(context, who, (message_id, query.from_user), key, claim),
        name=f"rewrite-sequence-email:{key.item_id}",
    )


async def _rewrite(
    context: BotContext, who: Who, tapped: tuple[int, User], key: CallbackKey, claim: int
) -> None:
    """`tapped`: the card's message id and who tapped 🔄 on it."""
    review, (message_id, user) = context.services.sequence_review, tapped
    rewritten = False
    try:
        async with typing(context.bot, who.chat_id):
            email = await review.regenerate(key.item_id, key.revision, who.user_id)
        note, rewritten = REWRITTEN, True
    except CopilotError as error:  # changed meanwhile, the model failed, the budget is spent
        email = await review.email(key.item_id)
        note = f"⚠️ No new version: {escape(str(error))} Nothing was changed."
    finally:
        await context.services.cards.release(claim)
    await redraw(context, who, message_id, email, note=note)
    if rewritten:
        await review_cards.done_in_chat(context, user, (who.chat_id, message_id),
                                        ItemKind.SEQUENCE_EMAIL, email.id,
                                        QueueAction.REGENERATE, email.status)  # fmt: skip


async def restore(context: BotContext, who: Who, message_id: int, email_id: int) -> None:
    """A card a restart left on "Writing…" (handlers.review.interrupted): the email as it
    is stored. A call cut off mid-way leaves it "writing" until the writer's lease lapses
    and the writer writes it again; until then the card has no buttons, and says so."""
    email = await context.services.sequence_review.email(email_id)
    note = INTERRUPTED if email.status in REVIEWABLE else INTERRUPTED_WRITING
    await redraw(context, who, message_id, email, note=note)


async def apply_rewrite(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    """✨ Apply optimizer rewrite: only on the card's revision (an approval is withdrawn)."""
    message_id = message_id_of(query)
    review = context.services.sequence_review
    try:
        email = await review.apply_rewrite(key.item_id, key.revision, who.user_id)
    except CopilotError as error:  # changed meanwhile, no rewrite offered, too long
        await refuse_error(query, context, error)
        if message_id is not None:
            await _current(context, who, message_id, key.item_id)
        return
    await query.answer("Rewrite applied ✨")
    if message_id is not None:
        await redraw(context, who, message_id, email, note=APPLIED)


async def _current(context: BotContext, who: Who, message_id: int, email_id: int) -> None:
    try:
        email = await context.services.sequence_review.email(email_id)
    except NotFound:
        return
    await redraw(context, who, message_id, email)

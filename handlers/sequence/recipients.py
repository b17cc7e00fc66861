"""Step 6 of /sequence: who gets it — pasted addresses or a CSV file, with consent.

A CSV's rows carry their own consent (core.sequences.recipients.read_csv refuses the
rest with line numbers). Pasted addresses carry none, so the admin is asked once whether
they all agreed; that yes, with who said it and when, is recorded as their consent.
"""

from __future__ import annotations

import re
import secrets
from html import escape
from pathlib import PurePath
from typing import Any

from telegram import CallbackQuery, Document, Update

from core.conversations import Conversation
from core.sequences.recipients import (
    address_problem,
    from_addresses,
    normalise_email,
    read_csv,
)
from handlers.common.context import BotContext
from handlers.common.dialog import Who, drop_keyboard, load, message_id_of, save, send
from handlers.common.files import FileRefused, FileRule, download
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.sequence import create
from handlers.sequence.keyboards import consent_keyboard
from handlers.sequence.steps import BY_STATE, CONSENT, RECIPIENTS, SUMMARY
from handlers.sequence.views import (
    consent_question,
    problems_text,
    recipients_read,
    step_question,
)

MAX_BYTES = 2 * 1024 * 1024
CSV_FILES = FileRule(
    (".csv", ".txt"),
    MAX_BYTES,
    "{name} is not a CSV file. Send a .csv with the columns "
    "<code>email,consent,consent_source</code>.",
    "The file is {kib} KiB; the most I take is {limit_kib} KiB.",
)
SEPARATORS = re.compile(r"[\s,;]+")
TAKES_FILES = frozenset({RECIPIENTS, CONSENT, SUMMARY})
NOT_NOW = "I'll take the recipients' CSV at step 6; answer the question above first, or /cancel."


class Refused(Exception):
    """The file can't be read as a recipients list; the message says why (HTML)."""


async def on_pasted(context: BotContext, who: Who, state: Conversation, text: str) -> None:
    """Addresses typed or pasted: checked, then the admin confirms their consent."""
    tokens = [t.strip("<>") for t in SEPARATORS.split(text) if t]
    problems = [p for t in tokens if (p := address_problem(t)) is not None]
    good = [t for t in tokens if address_problem(t) is None]
    if not good:
        await send(context, who, problems_text(problems or ["no address"], "No address read:")
                   + "\nPaste the addresses again, or send a CSV file.")  # fmt: skip
        return
    token = secrets.randbelow(2**31)
    await save(context, who, CONSENT, {**state.data, "pasted": good, "token": token})
    count = len({normalise_email(address) for address in good})
    await send(context, who, consent_question(count, problems), consent_keyboard(token))


async def confirm_consent(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    state = await load(context, who)
    if state is None or state.state != CONSENT or state.data.get("token") != key.revision:
        await refuse(query, context, "stale", "That list is no longer the one I'm asking about.")
        return
    await query.answer("Consent recorded")
    await drop_keyboard(context, who, message_id_of(query))
    source = f"confirmed by admin {who.user_id} in Telegram"
    imported = from_addresses(list(state.data["pasted"]), source=source)
    data = {k: v for k, v in state.data.items() if k != "pasted"}
    await create.show_summary(context, who, data, imported)


async def another_list(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    """✏️ Send another list / 👥 Change recipients: back to step 6, the rest kept."""
    state = await load(context, who)
    if (
        state is None
        or state.state not in (CONSENT, SUMMARY)
        or state.data.get("token") != key.revision
    ):
        await refuse(query, context, "stale", "That step is over. Send /sequence to start again.")
        return
    await query.answer()
    await drop_keyboard(context, who, message_id_of(query))
    data = {k: v for k, v in state.data.items() if k not in ("pasted", "recipients", "token")}
    await ask(context, who, data)


async def ask(context: BotContext, who: Who, data: dict[str, Any]) -> None:
    await save(context, who, RECIPIENTS, data)
    await send(context, who, step_question(BY_STATE[RECIPIENTS]))


async def on_document(update: Update, context: BotContext, state: Conversation) -> None:
    """A CSV sent during /sequence: its rows with consent become the recipients."""
    message = update.effective_message
    assert message is not None and message.document is not None
    who = Who.of(update)
    if state.state not in TAKES_FILES:
        await send(context, who, NOT_NOW)
        return
    try:
        text = await _read(context, message.document)
    except (Refused, FileRefused) as refused:
        await send(context, who, f"⚠️ {refused}")
        return
    name = PurePath(message.document.file_name or "recipients.csv").name
    imported = read_csv(text, source=f"CSV {name[:100]}")
    await send(context, who, recipients_read(len(imported.recipients), imported.problems,
                                             imported.duplicates))  # fmt: skip
    if not imported.recipients:
        await send(context, who, "Nobody in that file can be mailed. Fix it and send it again, "
                   "paste addresses, or /cancel.")  # fmt: skip
        return
    data = {k: v for k, v in state.data.items() if k not in ("pasted", "token")}
    await create.show_summary(context, who, data, imported)


async def _read(context: BotContext, document: Document) -> str:
    data = await download(context, document, CSV_FILES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(
            "The file is not UTF-8 text; save it as UTF-8 CSV and send it again."
        ) from None


def _esc(text: str) -> str:
    return escape(text[:100])

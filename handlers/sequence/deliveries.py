"""The admins' alert about a sequence email's failed and unknown deliveries, and its buttons.

One alert per email (core.mailing.delivery_alerts), not one per recipient. Failures need
no decision (the server refused: the address is wrong or full). Unknown outcomes do — the
server may have the message — so the alert carries ✅ It was sent / 🔁 Send again for all
of that email's unknown deliveries; the buttons carry the email's revision, so a second
admin's tap after a decision is refused.
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from core.errors import AlreadyDecided, NotFound
from core.mailing.delivery_alerts import DeliveryAlert
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, dispatch, drop_keyboard, message_id_of, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse_error
from handlers.common.views import fit
from handlers.sequence.views import clip, plural

KIND = "sqd"  # a sequence email's delivery alert


def delivery_message(alert: DeliveryAlert) -> tuple[str, InlineKeyboardMarkup | None]:
    """The alert's text and, when some outcomes are unknown, the buttons to decide them."""
    return delivery_alert(alert), delivery_keyboard(alert)


def delivery_alert(alert: DeliveryAlert) -> str:
    subject = f" “{escape(clip(alert.subject, 80))}”" if alert.subject else ""
    counts = " · ".join(f"{escape(s)} {n}" for s, n in sorted(alert.counts.items()))
    lines = [
        f"⚠️ <b>{escape(alert.sequence_name)}</b>, email #{alert.number}{subject}: "
        "not every delivery went through.",
        counts,
    ]
    if alert.failed_count:
        lines += ["", f"<b>Refused</b> ({alert.failed_count}) — not sent, and not tried again:"]
        lines += [_failed_line(a, e) for a, e in alert.failed]
        lines += _more(alert.failed_count, len(alert.failed))
    if alert.unknown_count:
        lines += ["", f"<b>Unknown</b> ({alert.unknown_count}) — the connection broke while the "
                      "server took the message, so it may have arrived:"]  # fmt: skip
        lines += [f"• {escape(a)}" for a in alert.unknown]
        lines += _more(alert.unknown_count, len(alert.unknown))
        lines += ["", "They are not sent again unless you tap 🔁 Send again."]
    return fit("\n".join(lines))


def delivery_keyboard(alert: DeliveryAlert) -> InlineKeyboardMarkup | None:
    if not alert.unknown_count:
        return None

    def key(text: str, action: str) -> InlineKeyboardButton:
        data = CallbackKey(KIND, action, alert.email_id, alert.revision).encode()
        return InlineKeyboardButton(text, callback_data=data)

    return InlineKeyboardMarkup([[key("✅ It was sent", "snt"), key("🔁 Send again", "again")]])


def _failed_line(address: str, error: str | None) -> str:
    reason = f": {escape(clip(error, 160))}" if error else ""
    return f"• {escape(address)}{reason}"


def _more(total: int, shown: int) -> list[str]:
    return [f"… and {total - shown} more (see /sequence → 📜 Send log)"] if total > shown else []


async def on_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, KIND, BUTTONS)


async def _decide(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, *, sent: bool
) -> None:
    alerts = context.services.delivery_alerts
    try:
        count = await alerts.decide_unknown(key.item_id, key.revision, sent=sent)
    except (AlreadyDecided, NotFound) as error:
        await refuse_error(query, context, error)
        return
    what = plural(count, "delivery", "deliveries")
    done = f"marked as sent: {what}" if sent else f"sending again: {what}"
    await query.answer(done.capitalize())
    await drop_keyboard(context, who, message_id_of(query))
    await send(context, who, f"{'✅' if sent else '🔁'} Unknown deliveries {escape(done)}.")


async def it_was_sent(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    await _decide(query, context, who, key, sent=True)


async def send_again(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await _decide(query, context, who, key, sent=False)


BUTTONS: dict[str, Button] = {"snt": it_was_sent, "again": send_again}

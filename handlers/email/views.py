"""What /email says. Everything a customer wrote is escaped: it is untrusted text."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from core.emaildesk.types import Attachment, ReceivedEmail
from core.emaildesk.views import StoredEmail
from domain.emaildesk import AutomaticKind, InboundStatus
from handlers.common.views import fit

HOW_TO = (
    "<b>📨 Customer emails</b>\n"
    "Paste a customer's email as your next message — with its <code>From:</code> and "
    "<code>Subject:</code> lines if you have them — or forward it here, or send it as an "
    "<b>.eml</b> file. I store it and a reply draft follows for you to approve; nothing is "
    "sent without you.\n"
    "Long emails: send the .eml file (a message holds at most 4096 characters). /cancel stops."
)
ASK_SENDER = (
    "I couldn't find who sent it. Send the customer's email address "
    "(like <code>jane@example.com</code>), or /cancel."
)
NOT_AN_ADDRESS = (
    "⚠️ That isn't one email address. Send it like <code>jane@example.com</code>, or /cancel."
)
EMPTY = "⚠️ There is no email text in that. Paste the email itself, or /cancel."
NOT_EML = (
    "⚠️ {name} is not an email file. Send a <b>.eml</b> file (in your mail app: "
    "Save as / Download message), or paste the text."
)
TOO_BIG = "⚠️ {name} is {mb:.1f} MB; I read emails up to {limit_mb} MB."
_STATUS = {InboundStatus.RECEIVED: "📥", InboundStatus.UNREADABLE: "⚠️",
           InboundStatus.AUTOMATIC: "🤖"}  # fmt: skip
_KINDS = {AutomaticKind.BOUNCE: "bounce", AutomaticKind.AUTO_REPLY: "auto-reply",
          AutomaticKind.BULK: "list/bulk"}  # fmt: skip


def received(email: ReceivedEmail) -> str:
    if email.unreadable_reason is not None:
        return f"⚠️ I couldn't read that email (#{email.id}): {escape(email.unreadable_reason)}"
    if email.automatic_reason is not None:
        return fit(
            f"🤖 Stored email #{email.id} as automatic mail, not from a person: "
            f"{escape(email.automatic_reason)}\nNo reply draft: automatic mail is never answered."
        )
    if not email.new:
        return (
            f"I have this email already (#{email.id}, from {escape(email.from_address)}); "
            "its reply draft is in /approve."
        )
    lines = [
        f"📨 Got it: email #{email.id} from {escape(email.from_address)}",
        f"<b>Subject:</b> {escape(email.subject) or '<i>(none)</i>'}",
    ]
    if email.order_number:
        lines.append(f"<b>Order:</b> <code>{escape(email.order_number)}</code>")
    if email.attachments:
        lines.append(f"<b>Attachments</b> (listed, not read): {_attachments(email.attachments)}")
    lines += ["", "A reply draft follows for you to approve."]
    return fit("\n".join(lines))


def overview(emails: tuple[StoredEmail, ...], tz: ZoneInfo) -> str:
    if not emails:
        return HOW_TO
    lines = [HOW_TO, "", "<b>Latest emails</b>"]
    lines += [_line(email, tz) for email in emails]
    return fit("\n".join(lines))


def _line(email: StoredEmail, tz: ZoneInfo) -> str:
    when = email.received_at.astimezone(tz).strftime("%d %b %H:%M")
    head = f"{_STATUS[email.status]} #{email.id} · {when} · "
    if email.status == InboundStatus.UNREADABLE:
        return head + f"unreadable: {escape(_short(email.unreadable_reason or '', 120))}"
    if email.status == InboundStatus.AUTOMATIC:
        kind = _KINDS.get(email.automatic_kind) if email.automatic_kind else None
        reason = escape(_short(email.automatic_reason or "", 160))
        sender = escape(email.from_address) or "(no sender)"
        return head + f"{kind or 'automatic'}, not answered · {sender}: {reason}"
    subject = escape(_short(email.subject, 60)) or "(no subject)"
    order = f" · order <code>{escape(email.order_number)}</code>" if email.order_number else ""
    return head + f"{escape(email.from_address)} · {subject}{order}"


def _attachments(items: tuple[Attachment, ...]) -> str:
    shown = [f"{escape(_short(a.name, 60))} ({_size(a.size)})" for a in items[:5]]
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    return ", ".join(shown) + more


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""A raw RFC 5322 mail (bytes) read with the standard `email` package, policy `default`.

Multipart mails give their text part (else the HTML one, turned into text), charsets are
decoded (a wrong or unknown one replaced, not fatal), attachments are listed by name,
type and size and never read. What can't be read raises `Unreadable` with a reason a
person understands; the intake records it, so a bad mail never stops a poller.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message, MIMEPart

from core.emaildesk import addresses
from core.emaildesk.automatic import classify
from core.emaildesk.html_text import html_to_text
from core.emaildesk.reports import read_report
from core.emaildesk.types import Attachment, ParsedEmail
from domain.emaildesk import MAX_EMAIL_BYTES

log = logging.getLogger(__name__)


class Unreadable(Exception):
    """The mail can't be read; `str(exc)` says why, for the person who looks at it."""

    def __init__(self, reason: str, *, subject: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.subject = subject


def too_big(size: int) -> str:
    return (
        f"The email is {size / 1_048_576:.1f} MB; emails over "
        f"{MAX_EMAIL_BYTES // 1_048_576} MB are not read (attachments make them that big)."
    )


def parse_raw(raw: bytes) -> ParsedEmail:
    if len(raw) > MAX_EMAIL_BYTES:
        raise Unreadable(too_big(len(raw)))
    if not raw.strip():
        raise Unreadable("The email is empty.")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage
    subject = _header(message, "Subject")
    try:
        return _read(message, subject, len(raw))
    except Unreadable as exc:
        raise Unreadable(exc.reason, subject=subject) from None
    except (ValueError, LookupError, TypeError, AttributeError) as exc:
        # The email package raises these on headers and parts broken past repair.
        log.info("Unreadable email (%s): %r", type(exc).__name__, exc)
        raise Unreadable(
            f"The email is malformed ({type(exc).__name__}).", subject=subject
        ) from None


def _read(message: EmailMessage, subject: str, size: int) -> ParsedEmail:
    sender = addresses.mailbox(_header(message, "From"))
    automatic = classify(
        lambda name: _header(message, name), sender=sender[1] if sender else "",
        subject=subject, report=read_report(message),
    )  # fmt: skip
    if sender is None and automatic is None:
        raise Unreadable("It has no usable From address, so there is nobody to reply to.")
    sender = sender or ("", "")  # a bounce with no usable From is still read
    text, html = _bodies(message)
    reply_to = addresses.mailbox(_header(message, "Reply-To"))
    return ParsedEmail(
        from_address=sender[1],
        from_name=sender[0],
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to[1] if reply_to else None,
        to_addresses=addresses.addresses(_header(message, "To")),
        message_id=addresses.message_id(_header(message, "Message-ID")),
        in_reply_to=addresses.message_id(_header(message, "In-Reply-To")),
        references=addresses.message_ids(_header(message, "References")),
        attachments=tuple(_attachments(message)),
        sent_at=_date(message),
        raw_size=size,
        automatic=automatic,
    )


def _header(message: Message, name: str) -> str:
    """The header's decoded value, unfolded; "" when missing or beyond decoding."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, LookupError):
        return ""
    return " ".join(str(value or "").split())


def _bodies(message: EmailMessage) -> tuple[str, str | None]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    html = _content(rich) if rich is not None else None
    if plain is not None:
        text = _content(plain)
    elif html is not None:
        text = html_to_text(html)
    else:
        raise Unreadable("It has no text to read (no text or HTML part).")
    if not text.strip():
        raise Unreadable("Its text is empty.")
    return text.strip(), html


def _content(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        # An unknown or wrong charset: the bytes as UTF-8, bad ones replaced.
        content = _guess_decode(part.get_payload(decode=True))
    return content if isinstance(content, str) else ""


def _guess_decode(payload: object) -> str:
    """UTF-8 when the bytes are; else Windows-1252, the usual undeclared charset."""
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", "replace")


def _attachments(message: EmailMessage) -> list[Attachment]:
    if not message.is_multipart():
        return []
    found = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else len(str(part.get_payload()))
        name = part.get_filename() or "(no name)"
        found.append(Attachment(name=name[:200], content_type=part.get_content_type(), size=size))
    return found


def _date(message: Message) -> datetime | None:
    try:
        value = message.get("Date")
        moment = getattr(value, "datetime", None)
    except (ValueError, IndexError, TypeError):
        return None
    if not isinstance(moment, datetime):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

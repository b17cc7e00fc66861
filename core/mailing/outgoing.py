"""One outgoing email, and the RFC 5322 message built from it.

Every header value is checked for CR and LF before anything is built: a newline in a
subject or an address taken from user or model text could add headers or recipients.
The recipient is exactly one address; the caller takes it from stored data (an inbound
email's sender, a sequence's list), never from model output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from html import escape

from core.mailing.errors import HeaderInjection

# Headers the builder owns: an extra header must not replace or duplicate them.
_OWN = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to", "references"}
_NAME = re.compile(r"^[A-Za-z0-9-]{1,76}$")
_ID_KEY = re.compile(r"^[A-Za-z0-9._+-]{1,120}$")


@dataclass(frozen=True)
class OutgoingEmail:
    """What to send. `message_id`, `in_reply_to` and `references` are `<id@domain>` forms."""

    to: str
    subject: str
    text: str
    html: str | None = None
    message_id: str | None = None  # stable per draft or delivery; None: a fresh one
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # List-Unsubscribe, say


def stable_message_id(key: str, domain: str) -> str:
    """`<key@domain>`: the same on every attempt, so a receiver can spot a duplicate."""
    if not _ID_KEY.match(key) or not re.match(r"^[A-Za-z0-9.-]{1,200}$", domain):
        raise ValueError(f"not usable in a Message-ID: {key!r} @ {domain!r}")
    return f"<{key}@{domain}>"


def address_of(value: str) -> str:
    """The bare address in `Name <a@b>` or `a@b` (what the SMTP envelope wants)."""
    return parseaddr(value)[1]


def domain_of(sender: str) -> str:
    return address_of(sender).rpartition("@")[2] or "localhost"


def build_message(email: OutgoingEmail, *, sender: str) -> EmailMessage:
    """The message to send, From `sender`; HeaderInjection when any header is unsafe."""
    _check(email, sender)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id or make_msgid(domain=domain_of(sender))
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
    if email.references:
        message["References"] = " ".join(email.references)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(_ending_newline(email.text))
    message.add_alternative(email.html or text_to_html(email.text), subtype="html")
    return message


def text_to_html(text: str) -> str:
    """A plain text as simple HTML paragraphs, everything escaped."""
    paragraphs = (p.strip() for p in text.replace("\r\n", "\n").split("\n\n"))
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p)
    return f"<html><body>{body}</body></html>"


def _ending_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _check(email: OutgoingEmail, sender: str) -> None:
    problems = [f"{name}: {p}" for name, value in _values(email, sender) if (p := _breaks(value))]
    for name in email.headers:
        if not _NAME.match(name) or name.lower() in _OWN:
            problems.append(f"{name[:40]!r}: not allowed as an extra header")
    for label, value in (("To", email.to), ("From", sender)):
        if not _breaks(value) and not _one_address(value):
            problems.append(f"{label}: not a single email address ({value[:80]!r})")
    if problems:
        raise HeaderInjection(problems)


def _values(email: OutgoingEmail, sender: str) -> list[tuple[str, str]]:
    values = [("From", sender), ("To", email.to), ("Subject", email.subject)]
    values += [("Message-ID", email.message_id or ""), ("In-Reply-To", email.in_reply_to or "")]
    values += [("References", ref) for ref in email.references]
    values += [(name[:40], value) for name, value in email.headers.items()]
    return values


def _breaks(value: str) -> str | None:
    if "\r" in value or "\n" in value:
        return "contains a line break (CR or LF), refused"
    return None


def _one_address(value: str) -> bool:
    """Exactly one `local@domain`: no second recipient after a comma or a semicolon."""
    name, address = parseaddr(value)
    rest = value.replace(name, "", 1) if name else value
    if "," in rest or ";" in rest or address.count("@") != 1:
        return False
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain and " " not in address

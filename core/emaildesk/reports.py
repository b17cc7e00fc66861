"""Delivery status notifications (bounces, RFC 3464) read from a received mail.

A standard report is `multipart/report; report-type=delivery-status`: a text part for
people, a `message/delivery-status` part (one block about the message, then one block
per recipient: Final-Recipient, Action, Status, Diagnostic-Code) and the original
message or its headers (`message/rfc822` or `text/rfc822-headers`), whose Message-ID
says which of our emails it is about. Mail servers that send no standard report (older
Exim, qmail) name the address in `X-Failed-Recipients`; the original Message-ID is then
looked for in the quoted headers of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import Message

from core.emaildesk import addresses

# "5.1.1", "4.4.7": class.subject.detail (RFC 3463).
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_QUOTED_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
MAX_RECIPIENTS = 50  # per report; more is not a real bounce


@dataclass(frozen=True)
class RecipientReport:
    address: str  # Final-Recipient, lower case
    original: str | None  # Original-Recipient, when given
    action: str  # failed | delayed | delivered | relayed | expanded
    status: str  # "5.1.1"; "" when the report gave none
    diagnostic: str  # the remote server's words, when given

    @property
    def failed(self) -> bool:
        return self.action == "failed"

    @property
    def permanent(self) -> bool:
        """A hard bounce: failed, with a 5.x.x status (the address does not take mail)."""
        return self.failed and self.status.startswith("5")

    def summary(self) -> str:
        words = f": {self.diagnostic}" if self.diagnostic else ""
        return f"{self.action} {self.status or '(no status)'} for {self.address}{words}"


@dataclass(frozen=True)
class DeliveryReport:
    recipients: tuple[RecipientReport, ...]
    original_message_id: str | None  # "<id@host>" of the mail it is about
    standard: bool  # an RFC 3464 report (False: read from X-Failed-Recipients)

    def for_address(self, address: str) -> RecipientReport | None:
        """The block about this address (Final- or Original-Recipient); the only block
        when there is one (a forward may have changed the final address)."""
        for item in self.recipients:
            if address in (item.address, item.original):
                return item
        return self.recipients[0] if len(self.recipients) == 1 else None


def read_report(message: Message) -> DeliveryReport | None:
    """The delivery report in this mail, or None when it is not one."""
    report_type = str(message.get_param("report-type", "")).lower()
    if message.get_content_type() == "multipart/report" and report_type == "delivery-status":
        return _standard(message)
    failed = str(message.get("X-Failed-Recipients") or "")
    if failed.strip():
        return _legacy(message, failed)
    return None


def _standard(message: Message) -> DeliveryReport:
    recipients: list[RecipientReport] = []
    original: str | None = None
    named: str | None = None  # Gmail names it in the report too: X-Original-Message-ID
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            recipients += _recipient_blocks(part)
            named = named or _named_original(part)
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _original_id(part)
    return DeliveryReport(tuple(recipients[:MAX_RECIPIENTS]), original or named, standard=True)


def _blocks(part: Message) -> list[Message]:
    """The email package reads a delivery-status body as a list of header blocks."""
    payload = part.get_payload()
    return [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []


def _named_original(part: Message) -> str | None:
    for block in _blocks(part):
        if found := addresses.message_id(_words(block.get("X-Original-Message-ID"))):
            return found
    return None


def _recipient_blocks(part: Message) -> list[RecipientReport]:
    found = []
    for block in _blocks(part):
        final = _address(block.get("Final-Recipient"))
        if final is None:
            continue  # the per-message block
        action = _words(block.get("Action")).lower()
        found.append(
            RecipientReport(
                address=final,
                original=_address(block.get("Original-Recipient")),
                action=action or "failed",
                status=_status(_words(block.get("Status"))),
                diagnostic=_diagnostic(_words(block.get("Diagnostic-Code"))),
            )
        )
    return found


def _legacy(message: Message, failed: str) -> DeliveryReport:
    """No standard report: permanent failures as Exim names them, status from the text."""
    text = _plain_text(message)
    status = _status(text) or "5.0.0"
    recipients = tuple(
        RecipientReport(address.lower(), None, "failed", status, "")
        for address in addresses.addresses(failed)[:MAX_RECIPIENTS]
    )
    quoted = _QUOTED_MESSAGE_ID.findall(text)
    # The first Message-ID quoted in a bounce's text is the original's (its own is a header).
    return DeliveryReport(recipients, quoted[0] if quoted else None, standard=False)


def _original_id(part: Message) -> str | None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        original = inner[0] if isinstance(inner, list) and inner else None
    else:
        headers = part.get_payload(decode=True)
        text = headers.decode("utf-8", "replace") if isinstance(headers, bytes) else ""
        original = message_from_string(text, policy=policy.default)
    if not isinstance(original, Message):
        return None
    return addresses.message_id(_words(original.get("Message-ID")))


def _plain_text(message: Message) -> str:
    texts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def _address(value: object) -> str | None:
    """ "rfc822; Jane@Example.com" -> "jane@example.com"."""
    text = _words(value)
    if not text:
        return None
    kind, _, rest = text.partition(";")
    found = addresses.addresses((rest if rest else kind).strip())
    return found[0].lower() if found else None


def _status(text: str) -> str:
    found = _STATUS.search(text)
    return ".".join(found.groups()) if found else ""


def _diagnostic(text: str) -> str:
    """ "smtp; 550 5.1.1 <x>: Recipient address rejected" without its type, kept short."""
    kind, _, rest = text.partition(";")
    words = rest if rest and kind.strip().lower() in ("smtp", "x-postfix", "x-unix") else text
    return words.strip()[:300]


def _words(value: object) -> str:
    return " ".join(str(value or "").split())

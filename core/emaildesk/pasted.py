"""An email pasted or forwarded as text: its From, Subject and body, as a person copied it.

People paste in a few shapes: the body alone; "From: / Subject: / Date: / To:" lines
then the body (what "Show original" or a copied header block gives); or a forward,
whose "---------- Forwarded message ---------" (Gmail), "Begin forwarded message:"
(Apple Mail) or "-----Original Message-----" (Outlook) line precedes such a block.
The header block of the (last) forwarded message wins: that is the customer's mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.emaildesk import addresses
from core.emaildesk.automatic import classify
from core.emaildesk.types import ParsedEmail

_FORWARD = re.compile(
    r"^\s*(-{3,}\s*(Forwarded message|Original Message|Weitergeleitete Nachricht)\s*-{3,}"
    r"|Begin forwarded message:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER = re.compile(
    r"^\s*\*?(From|To|Cc|Subject|Date|Sent|Reply-To)\*?:\*?\s*(.*)$", re.IGNORECASE
)
MAX_SUBJECT = 998


@dataclass(frozen=True)
class Pasted:
    """What a paste says; `sender` is None when it names nobody (the person is asked)."""

    sender: tuple[str, str] | None
    subject: str
    text: str

    def with_sender(self, name: str, address: str) -> Pasted:
        return Pasted((name, address), self.subject, self.text)

    def parsed(self) -> ParsedEmail:
        assert self.sender is not None, "a pasted email is stored once it has a sender"
        name, address = self.sender
        # A paste has no headers left: only a mail system's sender shows it is automatic.
        automatic = classify(lambda _: "", sender=address, subject=self.subject, report=None)
        return ParsedEmail(
            from_address=address, from_name=name, subject=self.subject, text=self.text,
            automatic=automatic,
        )  # fmt: skip


def read_pasted(text: str) -> Pasted:
    text = text.replace("\r\n", "\n").strip()
    forwards = list(_FORWARD.finditer(text))
    block = text[forwards[-1].end() :] if forwards else text
    headers, body = _split_headers(block.strip("\n"))
    sender = addresses.mailbox(headers.get("from", ""))
    subject = " ".join(headers.get("subject", "").split())[:MAX_SUBJECT]
    return Pasted(sender, subject, (body if headers else block).strip() or text)


def _split_headers(block: str) -> tuple[dict[str, str], str]:
    """The leading "Name: value" lines (blank lines before them skipped), and the rest."""
    headers: dict[str, str] = {}
    lines = block.split("\n")
    index = 0
    while index < len(lines):
        match = _HEADER.match(lines[index])
        if match is None:
            break
        headers.setdefault(match.group(1).lower(), match.group(2).strip())
        index += 1
    if "from" not in headers and "subject" not in headers:
        return {}, block
    return headers, "\n".join(lines[index:])

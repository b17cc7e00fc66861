"""Recipient addresses: checked, normalised, and read from a CSV with consent.

An address is trimmed and lower-cased, so one person is one recipient however the
address was typed. Only plain addresses are taken (no display names, no CR/LF, no
spaces): whatever is stored here ends up in a To: header.

A CSV has the columns `email[,consent,consent_source]` (a header row is optional). A
row whose consent is not a yes (yes, y, true, 1, x) is refused with its line number:
nobody is mailed without recorded consent.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

MAX_ADDRESS_LENGTH = 254
# local@domain.tld: printable, no spaces, quotes, angle brackets or a second @.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_YES = frozenset({"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí"})
_HEADER = "email"


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def address_problem(raw: str) -> str | None:
    """None for a usable address; else why not, in words."""
    address = normalise_email(raw)
    if not address:
        return "is blank"
    if len(address) > MAX_ADDRESS_LENGTH:
        return f"is longer than {MAX_ADDRESS_LENGTH} characters"
    if not _ADDRESS.match(address) or ".." in address or address.startswith("."):
        return f"{raw.strip()!r} is not an email address"
    return None


@dataclass(frozen=True)
class ConsentedRecipient:
    email: str
    consent_source: str


@dataclass
class RecipientImport:
    """What a list yielded: the recipients (first of each address) and one line per problem."""

    recipients: list[ConsentedRecipient] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0

    def add(self, recipient: ConsentedRecipient, seen: set[str]) -> None:
        if recipient.email in seen:
            self.duplicates += 1
            return
        seen.add(recipient.email)
        self.recipients.append(recipient)


def read_csv(text: str, *, source: str) -> RecipientImport:
    """Rows of `email[,consent,consent_source]`; `source` names the file in consent records."""
    result, seen = RecipientImport(), set[str]()
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or (line == 1 and cells[0].lower() == _HEADER):
            continue
        recipient = _row(cells, line, source, result.problems)
        if recipient is not None:
            result.add(recipient, seen)
    return result


def from_addresses(addresses: list[str], *, source: str) -> RecipientImport:
    """Addresses a person or a program vouches for (consent given elsewhere, named `source`)."""
    result, seen = RecipientImport(), set[str]()
    for number, raw in enumerate(addresses, start=1):
        problem = address_problem(raw)
        if problem is not None:
            result.problems.append(f"Recipient #{number}: {problem}")
            continue
        result.add(ConsentedRecipient(normalise_email(raw), source), seen)
    return result


def _row(
    cells: list[str], line: int, source: str, problems: list[str]
) -> ConsentedRecipient | None:
    problem = address_problem(cells[0])
    if problem is not None:
        problems.append(f"Line {line}: {problem}")
        return None
    consent = cells[1] if len(cells) > 1 else ""
    if consent.lower() not in _YES:
        problems.append(f"Line {line}: {cells[0]} has no consent (the consent column must be yes)")
        return None
    said = cells[2] if len(cells) > 2 and cells[2] else f"{source} line {line}"
    return ConsentedRecipient(normalise_email(cells[0]), said[:200])

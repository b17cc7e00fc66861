"""Recipients typed or pasted in Telegram, or sent as a CSV file, read with consent.

A sequence may only mail people who agreed to it, so every address carries where its
consent came from and when. A CSV is `email[,consent[,consent_source]]`, with or without
a header row:
- a `consent` column: `yes`, `y`, `true`, `1`, `x`, `opt-in` (consent given, now) or a
  date such as `2026-03-01` (consent given then); empty, `no`, `false`, `0` → the row is
  refused with its line number, as is a row whose address is not one;
- no `consent` column (or a pasted list): the admin confirms for all of them in one tap
  (`needs_confirmation`), recorded as their consent.
Duplicates are dropped (first one kept) and said; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

MAX_RECIPIENTS = 10_000
MAX_FIELD = 200
YES = frozenset({"yes", "y", "true", "1", "x", "opt-in", "optin", "opted in", "agreed"})
NO = frozenset({"", "no", "n", "false", "0", "opt-out", "optout"})
HEADER_NAMES = {
    "email": "email", "e-mail": "email", "address": "email", "email address": "email",
    "consent": "consent", "consent_at": "consent", "opt-in": "consent", "opted in": "consent",
    "consent_source": "consent_source", "consent source": "consent_source",
    "source": "consent_source",
}  # fmt: skip
# One address: no spaces, one @, a dot in the domain; header-breaking characters refused.
ADDRESS = re.compile(r"^[^@\s,;<>\"()\[\]]{1,64}@[^@\s,;<>\"()\[\]]+\.[^@\s,;<>\"()\[\]]+$")
SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class ImportedRecipient:
    email: str
    consent_source: str
    consent_at: datetime | None  # None: consent confirmed now (the import's time)


@dataclass(frozen=True)
class RecipientImport:
    recipients: tuple[ImportedRecipient, ...]
    problems: tuple[str, ...]  # refused rows, one line each, with the line number
    notes: tuple[str, ...] = ()  # duplicates dropped and the like: nothing refused
    needs_confirmation: bool = False  # no consent column: the admin confirms for all


def normalise(address: str) -> str | None:
    """The address trimmed and lower-cased, or None when it is not one."""
    cleaned = address.strip().strip("<>").strip().lower()
    return cleaned if len(cleaned) <= 320 and ADDRESS.match(cleaned) else None


def read_pasted(text: str, source: str) -> RecipientImport:
    """Addresses separated by spaces, commas, semicolons or lines; consent asked for all."""
    found, problems = [], []
    for token in (t for t in SEPARATORS.split(text) if t):
        address = normalise(token)
        if address is None:
            problems.append(f"“{_short(token)}” is not an email address")
        else:
            found.append(ImportedRecipient(address, source, None))
    return _finish(found, problems, [], needs_confirmation=True)


def read_csv(text: str, file_name: str, now: datetime) -> RecipientImport:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    columns, first = _columns(rows)
    found: list[ImportedRecipient] = []
    problems: list[str] = []
    for line, row in enumerate(rows[first:], start=first + 1):
        if not any(cell.strip() for cell in row):
            continue
        read = _row(row, columns, f"{file_name} line {line}", now)
        if isinstance(read, str):
            problems.append(f"Line {line}: {read}")
        else:
            found.append(read)
    return _finish(found, problems, [], needs_confirmation="consent" not in columns)


def _columns(rows: list[list[str]]) -> tuple[dict[str, int], int]:
    """Column positions, and the index of the first data row (after a header, if any)."""
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    named = {HEADER_NAMES[c]: i for i, c in enumerate(header) if c in HEADER_NAMES}
    if "email" in named:
        return named, 1
    width = max((len(row) for row in rows), default=1)
    positional = ("email", "consent", "consent_source")[: max(1, min(width, 3))]
    return {name: i for i, name in enumerate(positional)}, 0


def _row(
    row: list[str], columns: dict[str, int], where: str, now: datetime
) -> ImportedRecipient | str:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    raw = cell("email")
    address = normalise(raw)
    if address is None:
        return f"“{_short(raw)}” is not an email address" if raw else "no email address"
    source = cell("consent_source")[:MAX_FIELD] or f"CSV {where}"
    if "consent" not in columns:
        return ImportedRecipient(address, source, None)
    consent = _consent(cell("consent"))
    if isinstance(consent, datetime) and consent > now:
        return f"{address}: the consent date {consent:%Y-%m-%d} is in the future"
    if consent is False:
        return f"{address} has no consent (the consent column says “{_short(cell('consent'))}”)"
    if consent is None:
        return f"{address}: can't read the consent “{_short(cell('consent'))}” (yes, or a date)"
    return ImportedRecipient(address, source, consent if isinstance(consent, datetime) else None)


def _consent(value: str) -> datetime | bool | None:
    """True (consent now), a datetime (consent then), False (none), None (unreadable)."""
    lowered = value.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    try:
        moment = datetime.fromisoformat(lowered)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _finish(
    found: list[ImportedRecipient],
    problems: list[str],
    notes: list[str],
    *,
    needs_confirmation: bool,
) -> RecipientImport:
    first_seen: dict[str, ImportedRecipient] = {}
    duplicates = 0
    for recipient in found:
        if recipient.email in first_seen:
            duplicates += 1
        else:
            first_seen[recipient.email] = recipient
    if duplicates:
        notes.append(f"{duplicates} duplicate address{'es' if duplicates != 1 else ''} dropped")
    kept = list(first_seen.values())
    if len(kept) > MAX_RECIPIENTS:
        problems.append(
            f"{len(kept)} addresses: the most one sequence takes here is {MAX_RECIPIENTS}; "
            "the ones after that were left out"
        )
        kept = kept[:MAX_RECIPIENTS]
    return RecipientImport(tuple(kept), tuple(problems), tuple(notes), needs_confirmation)


def confirmed(imported: RecipientImport, by: str) -> RecipientImport:
    """The same list once the admin confirmed everyone on it agreed: that is their consent."""
    recipients = tuple(
        replace(r, consent_source=f"{r.consent_source}; {by}"[:MAX_FIELD])
        for r in imported.recipients
    )
    return replace(imported, recipients=recipients, needs_confirmation=False)


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 60 else text[:59] + "…"

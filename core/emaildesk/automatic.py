"""Mail no person wrote: bounces, auto-replies, mailing lists. Never answered (RFC 3834).

Told by headers, strongest first:
- a delivery report (RFC 3464) or `X-Failed-Recipients`: a bounce;
- `Auto-Submitted` other than `no` (RFC 3834), `X-Autoreply`, `X-Autorespond`,
  `Precedence: auto_reply`: an auto-reply;
- `Precedence: bulk|junk|list`, `List-Id` (RFC 2919): a mailing list or bulk mail;
- a sender like MAILER-DAEMON or postmaster: a mail system's notice (a bounce).
An out-of-office subject ("Automatic reply: …", "Out of office", "Abwesenheitsnotiz") is
only a hint: it counts together with a header auto-replies carry (`Return-Path: <>`,
`X-Auto-Response-Suppress`), never alone, as a customer may well write "out of office".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.emaildesk.reports import DeliveryReport
from domain.emaildesk import AutomaticKind

Headers = Callable[[str], str]  # a header's value by name (case-insensitive), "" if absent

_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_AWAY_SUBJECT = re.compile(
    r"^\s*(auto(matic|matische)?[ -]?(reply|response|antwort)|out of (the )?office|"
    r"abwesenheit|absence|r[ée]ponse automatique|respuesta autom[áa]tica|vacation|"
    r"away from (the )?office|on leave)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Automatic:
    """Why a mail is automatic, and its delivery report when it is a bounce."""

    kind: AutomaticKind
    reason: str  # what showed it, for the person looking ("Auto-Submitted: auto-replied")
    report: DeliveryReport | None = None


def classify(
    header: Headers, *, sender: str, subject: str, report: DeliveryReport | None
) -> Automatic | None:
    """What kind of automatic mail this is, or None for a person's mail."""
    if report is not None:
        return Automatic(AutomaticKind.BOUNCE, _report_reason(report), report)
    return _by_headers(header) or _by_sender(sender) or _by_subject(header, subject)


def _by_headers(header: Headers) -> Automatic | None:
    auto = header("Auto-Submitted").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return Automatic(AutomaticKind.AUTO_REPLY, f"Auto-Submitted: {auto[:60]}")
    for name in ("X-Autoreply", "X-Autorespond"):
        if header(name).strip():
            return Automatic(AutomaticKind.AUTO_REPLY, f"{name}: {header(name).strip()[:60]}")
    precedence = header("Precedence").strip().lower()
    if precedence == "auto_reply":
        return Automatic(AutomaticKind.AUTO_REPLY, "Precedence: auto_reply")
    if precedence in ("bulk", "junk", "list"):
        return Automatic(AutomaticKind.BULK, f"Precedence: {precedence}")
    if header("List-Id").strip():
        return Automatic(AutomaticKind.BULK, f"a mailing list (List-Id: {header('List-Id')[:80]})")
    return None


def _by_sender(sender: str) -> Automatic | None:
    if _DAEMONS.match(sender):
        return Automatic(AutomaticKind.BOUNCE, f"from a mail system ({sender[:80]})")
    return None


def _by_subject(header: Headers, subject: str) -> Automatic | None:
    if not _AWAY_SUBJECT.match(subject):
        return None
    if header("Return-Path").strip() == "<>":
        return Automatic(AutomaticKind.AUTO_REPLY, "an out-of-office subject, no return path")
    if header("X-Auto-Response-Suppress").strip():
        return Automatic(
            AutomaticKind.AUTO_REPLY, "an out-of-office subject and X-Auto-Response-Suppress"
        )
    return None


def _report_reason(report: DeliveryReport) -> str:
    what = "; ".join(item.summary() for item in report.recipients[:3]) or "no recipient named"
    kind = "a delivery report" if report.standard else "a bounce (X-Failed-Recipients)"
    return f"{kind}: {what}"

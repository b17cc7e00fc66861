"""⬇️ Download .txt / .json and ✉️ Make an email draft: a finished piece as a file.

The email draft is an RFC 5322 message marked `X-Unsent: 1`: opened in Outlook, Apple
Mail or Thunderbird it is a draft to address and send, and it carries no recipient, so
nothing can go out by mistake. (A reply draft needs a customer email to answer, and a
sequence email a sequence with consented recipients; a one-off piece has neither.)
"""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from core.content.views import ContentView
from domain.content import CONTENT_TYPE_LABELS

MAX_SUBJECT = 120


def as_text(view: ContentView) -> str:
    """The text with its hashtags, then the scores and the crew's feedback, as plain text."""
    lines = [view.title, ""] if view.title else []
    lines.append(view.content)
    if view.hashtags:
        lines += ["", " ".join(view.hashtags)]
    report = view.report
    if report is not None:
        scores = report.scores
        lines += [
            "", "---",
            f"Brand {scores.brand_alignment} · Compliance {scores.compliance} · "
            f"Readability {scores.readability} · Overall {scores.overall_quality}",
            *(f"- {line}" for line in report.agent_feedback),
        ]  # fmt: skip
    return "\n".join(lines) + "\n"


def as_json_bytes(view: ContentView) -> bytes:
    """The REST answer for it (GET /api/campaign/{id}), so both downloads agree."""
    return json.dumps(view.as_json(), ensure_ascii=False, indent=2).encode("utf-8")


def email_draft(view: ContentView, *, sender: str | None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject_of(view)
    if sender:
        message["From"] = sender
    message["Date"] = format_datetime(view.timestamp)
    message["X-Unsent"] = "1"
    body = view.content + ("\n\n" + " ".join(view.hashtags) if view.hashtags else "")
    message.set_content(body + "\n")
    return message.as_bytes()


def subject_of(view: ContentView) -> str:
    """The creator's title, else the first line of the text; one line, never too long."""
    first = view.title.strip() or next(
        (line for line in view.content.splitlines() if line.strip()), ""
    )
    subject = re.sub(r"\s+", " ", first.lstrip("# ")).strip()
    if not subject:
        subject = CONTENT_TYPE_LABELS[view.brief.content_type]
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"


def file_name(view: ContentView, suffix: str) -> str:
    return f"content-{view.public_id}.{suffix}"

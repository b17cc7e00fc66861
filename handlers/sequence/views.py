"""How /sequence, its sequences and their emails read in Telegram. User and model text is
escaped; every text is cut to Telegram's limit (handlers.common.views.fit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from core.mailing.delivery_log import DeliveryProblem
from core.sequences.views import RecipientView, SequenceDetail, SequenceEmailView, SequenceView
from handlers.common.dialog import bullet_list
from handlers.common.views import MAX_TEXT, fit
from handlers.sequence.steps import TOTAL_STEPS, Step

CANCEL_HINT = "<i>/cancel stops at any step; nothing is saved until you create the sequence.</i>"
SHOWN_TIMES = 8  # planned sends listed in the summary before "… N more"
SHOWN_PROBLEMS = 15
PREVIEW_CHARS = 1500
STATUS_ICONS = {
    "planned": "🗓", "writing": "✍️", "pending": "⏳", "approved": "✅", "rejected": "🗑",
    "held": "⏸", "sending": "📤", "sent": "📬",
}  # fmt: skip


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def when(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %d %b %Y, %H:%M}"


def step_header(number: int) -> str:
    return f"<b>📧 New email sequence · step {number} of {TOTAL_STEPS}</b>"


def step_question(step: Step, first: bool = False) -> str:
    text = f"{step_header(step.number)}\n{step.question}"
    return f"{text}\n\n{CANCEL_HINT}" if first else text


def answered(step: Step, value: str) -> str:
    return f"{step_header(step.number)}\n{step.label}: <b>{escape(value)}</b> ✓"


def days_question(step: Step, per_week: int) -> str:
    return f"{step_header(step.number)}\n{plural(per_week, 'email')} a week. {step.question}"


def problems_text(problems: Sequence[str], intro: str) -> str:
    shown = list(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(f"… and {len(problems) - SHOWN_PROBLEMS} more")
    return fit(f"⚠️ {intro}\n{bullet_list(shown)}")


def consent_question(count: int, problems: Sequence[str]) -> str:
    lines = [f"I read {plural(count, 'address', 'addresses')}."]
    if problems:
        lines.append(problems_text(problems, "Left out:"))
    lines += [
        "",
        "<b>Did each of them agree to get these emails?</b> Nobody is mailed without "
        "consent; your yes is recorded as theirs (with your user id and the time).",
    ]
    return fit("\n".join(lines))


def recipients_read(count: int, problems: Sequence[str], duplicates: int) -> str:
    lines = [f"👥 {plural(count, 'recipient')} with consent read."]
    if duplicates:
        lines.append(f"{plural(duplicates, 'duplicate')} dropped.")
    if problems:
        lines.append(problems_text(problems, f"{plural(len(problems), 'row')} refused:"))
    return fit("\n".join(lines))


def summary(data: dict[str, Any], cadence: str, sends: Sequence[datetime], tz: ZoneInfo) -> str:
    """The sequence before it is created: what, how often, to whom, and when exactly."""
    lines = [
        f"<b>📋 {escape(str(data['name']))}</b>",
        escape(clip(str(data.get("description") or ""), 600)) or "<i>no description</i>",
        "",
        f"<b>Schedule:</b> {escape(cadence)}",
        f"<b>Recipients:</b> {len(data.get('recipients') or [])}",
        "",
        f"<b>{plural(len(sends), 'email')}</b>, at these times ({escape(tz.key)}):",
        *_times(sends, tz),
        "",
        "Each email is written a few days before it is due and waits for you in /approve; "
        "nothing is sent without your approval.",
        "Nothing is saved until you tap <b>✅ Create sequence</b>.",
    ]
    return fit("\n".join(lines))


def _times(sends: Sequence[datetime], tz: ZoneInfo) -> list[str]:
    lines = [f"{n}. {when(s, tz)}" for n, s in enumerate(sends[:SHOWN_TIMES], start=1)]
    if len(sends) > SHOWN_TIMES:
        lines.append(f"… {len(sends) - SHOWN_TIMES} more, the last {when(sends[-1], tz)}")
    return lines


def created(detail: SequenceDetail) -> str:
    view = detail.sequence
    first = detail.emails[0].due_at if detail.emails else None
    start = f" The first is due {when(first, view.tz)}." if first else ""
    return (
        f"✅ Sequence #{view.id} <b>{escape(view.name)}</b> created: "
        f"{plural(len(detail.emails), 'email')} to {plural(view.recipient_count, 'recipient')}."
        f"{start} Each one comes to /approve when it is written."
    )


def sequence_list(views: Sequence[SequenceView]) -> str:
    lines = ["<b>📧 Email sequences</b>"]
    for view in views:
        counts = view.email_counts
        sent, total = counts.get("sent", 0), sum(counts.values())
        lines.append(
            f"#{view.id} <b>{escape(clip(view.name, 60))}</b> · {escape(view.status)} · "
            f"{sent}/{total} sent · {plural(view.recipient_count, 'recipient')}"
        )
    lines += ["", "Tap one to see its next emails and send log, or start a new one."]
    return fit("\n".join(lines))


def detail_text(
    detail: SequenceDetail,
    stats: dict[str, int],
    problems: Sequence[DeliveryProblem],
    now: datetime,
) -> str:
    view, tz = detail.sequence, detail.sequence.tz
    upcoming = [e for e in detail.emails if e.due_at >= now][:5]
    lines = [
        f"<b>📧 Sequence #{view.id}: {escape(view.name)}</b> · {escape(view.status)}",
        escape(view.summary()),
        f"{plural(view.recipient_count, 'recipient')} · "
        + " · ".join(
            f"{STATUS_ICONS.get(s, '')} {n} {escape(s)}"
            for s, n in sorted(view.email_counts.items())
        ),
        "",
        "<b>Next emails</b>",
        *(_email_line(e, tz) for e in upcoming),
    ]
    if not upcoming:
        lines.append("<i>none left</i>")
    lines += ["", "<b>Deliveries</b>", _stats_line(stats)]
    if problems:
        lines += ["", "<b>⚠️ Bounces, failures and unsubscribes</b> (latest first)"]
        lines += [_problem_line(problem, tz) for problem in problems]
    return fit("\n".join(lines))


def _problem_line(problem: DeliveryProblem, tz: ZoneInfo) -> str:
    at = f"{problem.at.astimezone(tz):%d %b %H:%M} · " if problem.at else ""
    reason = f": {escape(clip(problem.error, 120))}" if problem.error else ""
    return (
        f"{at}{escape(problem.recipient)} · email #{problem.email_number} · "
        f"{escape(problem.status)}{reason}"
    )


def _email_line(email: SequenceEmailView, tz: ZoneInfo) -> str:
    subject = escape(clip(email.subject, 60)) if email.subject else f"<i>{email.structure}</i>"
    icon = STATUS_ICONS.get(email.status, "")
    return f"#{email.number} {when(email.due_at, tz)} · {icon} {escape(email.status)} · {subject}"


def _stats_line(stats: dict[str, int]) -> str:
    if not stats:
        return "<i>nothing sent yet</i>"
    return " · ".join(f"{escape(status)} {count}" for status, count in sorted(stats.items()))


def email_card(email: SequenceEmailView, tz: ZoneInfo, note: str = "", *, crew: str = "") -> str:
    """One written email, as a reviewer sees it in /approve; `crew` (HTML) is the review
    crew's block (handlers.common.crew_block) under the text it judged.

    The body is the part that gives way: it is cut (before escaping, so no entity is
    split) until the card fits, and the crew's block and the note always show."""
    head = "\n".join(
        [
            f"<b>📧 {escape(clip(email.sequence_name, 80))} · email #{email.number}</b>",
            f"<i>{STATUS_ICONS.get(email.status, '')} {escape(email.status)}</i> · "
            f"{escape(email.structure)}",
            f"<b>Due:</b> {when(email.due_at, tz)} ({escape(tz.key)})",
            "",
            f"<b>Subject:</b> {escape(email.subject or '')}",
            "",
        ]
    )
    tail = "".join([f"\n\n{crew}" if crew else "", f"\n\n<i>{note}</i>" if note else ""])
    room = MAX_TEXT - len(head) - len(tail) - 1
    return fit(head + "\n" + _preview(email.body_text or "", room) + tail)


def _preview(text: str, room: int) -> str:
    """The first PREVIEW_CHARS of `text`, escaped, cut further until it takes `room`."""
    cut = clip(text, PREVIEW_CHARS)
    while cut and len(escape(cut)) > room:
        cut = clip(cut, max(1, len(cut) - max(1, (len(escape(cut)) - room) // 2)))
        if len(cut) <= 1:
            return ""
    return escape(cut)


def held_alert(email: SequenceEmailView, tz: ZoneInfo) -> str:
    return fit(
        f"⏸ <b>Held, not sent:</b> {escape(email.sequence_name)} · email #{email.number} "
        f"was due {when(email.due_at, tz)} ({escape(tz.key)}) and nobody approved it.\n"
        f"<b>Subject:</b> {escape(email.subject or '(not written)')}\n\n"
        "Approve it to send it now, or skip it; the rest of the sequence goes on as planned."
    )


def log_text(
    detail: SequenceDetail, shown: Sequence[RecipientView], offset: int, total: int
) -> str:
    """The per-recipient send log: one line each, failures and bounces first."""
    first = offset + 1
    lines = [
        f"<b>📜 Send log · #{detail.sequence.id} {escape(clip(detail.sequence.name, 60))}</b>",
        f"Recipients {first}–{first + len(shown) - 1} of {total}" if shown else "No recipients.",
        "",
    ]
    for recipient in shown:
        sends = " · ".join(f"{escape(s)} {n}" for s, n in sorted(recipient.deliveries.items()))
        lines.append(f"{escape(recipient.email)} — {sends or '<i>nothing sent yet</i>'}")
    return fit("\n".join(lines))

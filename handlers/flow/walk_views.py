"""▶️ Try it as a message: what the simulated customer gets, in order, with the waits.

    ▶️ Try it: SMS flow #12, version 1
    💬 at 0m: Hi Anna! 15% off for you… Reply STOP to opt out.
    ⏳ waits 2 days
    💬 at 2d: Still thinking about it? Reply YES for your code.
    👤 Replies "YES"

A long walk keeps its latest lines (the message has a limit); the first ones are counted.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from core.flows.simulate import SimLine, Simulation

ROOM = 3300  # of Telegram's 4096: the header, the question and the tags need the rest
ICONS = {"message": "💬", "wait": "⏳", "customer": "👤", "note": "ℹ️"}
LONG_WALK = "This walk is long: ↩️ Start over to walk it another way."


def walk(flow_id: int, version: int, simulation: Simulation, *, too_long: bool = False) -> str:
    head = (
        f"▶️ <b>Try it: SMS flow #{flow_id}, version {version}</b>\n"
        "<i>A simulated customer; nothing is sent to anyone.</i>"
    )
    return "\n\n".join([head, _lines(simulation.lines), _footer(simulation, too_long)])


def _lines(lines: list[SimLine]) -> str:
    rendered = [_line(line) for line in lines]
    kept: list[str] = []
    used = 0
    for text in reversed(rendered):  # the latest lines matter most
        if used + len(text) + 1 > ROOM:
            break
        kept.insert(0, text)
        used += len(text) + 1
    hidden = len(rendered) - len(kept)
    if hidden:
        kept.insert(0, f"<i>… {hidden} earlier lines not shown</i>")
    return "\n".join(kept) if kept else "<i>Nothing sent yet.</i>"


def _line(line: SimLine) -> str:
    icon = ICONS.get(line.kind, "•")
    text = escape(line.text)
    if line.kind == "message":
        cost = f", {line.segments} SMS" if line.segments > 1 else ""
        return f"{icon} <b>at {when(line.elapsed)}{cost}:</b> {text}"
    if line.kind == "note":
        return f"{icon} <i>{text}</i>"
    return f"{icon} {text}"


def _footer(simulation: Simulation, too_long: bool) -> str:
    messages = len(simulation.messages)
    sent = f"{messages} text{'' if messages == 1 else 's'} so far."
    if too_long:
        return f"{sent}\n{LONG_WALK}"
    if simulation.pending is not None:
        return f"{sent}\n👇 <b>{escape(simulation.pending.prompt)}</b>"
    if simulation.outcome == "ended":
        where = f" at step “{escape(simulation.ended_at)}”" if simulation.ended_at else ""
        return f"🏁 The flow ended{where}. The customer got {messages} text" + (
            "." if messages == 1 else "s."
        )
    return f"🔁 Stopped: the flow kept going round without ending. {sent}"


def when(elapsed: timedelta) -> str:
    """Time since the first text: "0m", "45m", "3h", "2d", "2d 4h"."""
    minutes = int(elapsed.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(part for part in parts if part) or "0m"

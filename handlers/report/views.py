"""/report as Telegram messages: the facts first, then the model's reading of them.

The facts carry their ids (F1, F2, ...) in bold so a recommendation's "(F2, F5)" can be
looked up at a glance; the model's text is escaped, never trusted as HTML.
"""

from __future__ import annotations

from html import escape

from core.report.answer import Cited
from core.report.facts import FactSheet
from core.report.period import EXAMPLES
from core.report.service import Analysis

ASK = (
    "📋 <b>Which period should the report cover?</b>\n"
    f"Tap one, or type it, e.g. {escape(EXAMPLES, quote=False)}."
)
WORKING = "🤖 Reading the facts…"


def facts(sheet: FactSheet) -> str:
    lines = [
        f"📋 <b>Report: {escape(sheet.period.show(), quote=False)}</b>",
        "<i>Facts from your data</i>",
        *(f"<b>{fact.id}</b> {escape(fact.text, quote=False)}" for fact in sheet.facts),
    ]
    return "\n".join(lines)


def analysis(result: Analysis) -> str:
    answer = result.answer
    lines = ["💡 <b>What the facts say</b>"]
    lines += [f"• {_cited(item)}" for item in answer.insights]
    lines += ["", "✅ <b>Three things to do</b>"]
    lines += [f"{n}. {_cited(item)}" for n, item in enumerate(answer.recommendations, start=1)]
    lines += ["", f"<i>Written by the model from the facts above (cost ${result.cost_usd}).</i>"]
    return "\n".join(lines)


def no_analysis(reason: str) -> str:
    return (
        f"🤖 No insights this time: {escape(reason, quote=False)}\n"
        "The facts above are complete; try /report again later for the model's reading."
    )


def _cited(item: Cited) -> str:
    return f"{escape(item.text, quote=False)} <i>({', '.join(item.fact_ids)})</i>"

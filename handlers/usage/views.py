"""/usage as a Telegram message: short, numbers in aligned columns, no jargon.

Tables are monospaced (<pre>) and at most ~34 characters wide, so they don't wrap on a
phone. Money is shown in cents; an amount under a cent says so instead of showing $0.00,
and nothing spent is "$0".
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from html import escape

from core.llm.types import BudgetStatus
from core.usage.types import Acceptance, DailyCosts, Line, UsageSummary, WindowUsage
from core.usage.windows import Window

NAME_WIDTH = 15
MAX_LINES = 6  # per table: the costliest; the rest are summed as "Everything else"
NO_CALLS = "No model calls in this period."


def summary(data: UsageSummary, chosen: Window) -> str:
    picked = next(w for w in data.windows if w.window == chosen)
    parts = [
        "📊 <b>Model usage</b>",
        _totals(data.windows),
        _budget(data.budget),
        "",
        f"<b>By feature, {chosen.label.lower()}</b>",
        _lines(picked.by_feature) if picked.by_feature else NO_CALLS,
        "",
        f"<b>By model, {chosen.label.lower()}</b>",
        _lines(_short_models(picked.by_model)) if picked.by_model else NO_CALLS,
        "",
        f"<b>Drafts you kept, last {data.acceptance_window.days} days</b>",
        _acceptance(data.acceptance),
    ]
    return "\n".join(parts)


def _totals(windows: tuple[WindowUsage, ...]) -> str:
    head = " " * 7 + "".join(f"{w.window.label:>9}" for w in windows)
    cost = "Cost   " + "".join(f"{usd(w.cost_usd):>9}" for w in windows)
    tokens = "Tokens " + "".join(f"{count(w.tokens):>9}" for w in windows)
    return _pre([head, cost, tokens])


def _budget(budget: BudgetStatus) -> str:
    left = budget.remaining_usd
    line = f"💰 Budget today: <b>{usd(left)}</b> left of {usd(budget.cap_usd)}"
    if left <= 0:
        return line + "\nIt is used up; model calls wait until 00:00 UTC."
    return line + " (resets 00:00 UTC)"


def _lines(lines: tuple[Line, ...]) -> str:
    shown = list(lines[:MAX_LINES])
    if len(lines) > MAX_LINES:
        rest = lines[MAX_LINES - 1 :]
        shown[-1] = Line("Everything else", sum(r.tokens for r in rest),
                         sum((r.cost_usd for r in rest), Decimal(0)))  # fmt: skip
    return _pre(
        [f"{_name(line.name)} {usd(line.cost_usd):>8} {count(line.tokens):>7}" for line in shown]
    )


def _short_models(lines: tuple[Line, ...]) -> tuple[Line, ...]:
    """ "openai/gpt-4o-mini" → "gpt-4o-mini": the provider prefix is noise to a shop owner."""
    return tuple(replace(line, name=line.name.rsplit("/", 1)[-1]) for line in lines)


def _acceptance(rows: tuple[Acceptance, ...]) -> str:
    table = [f"{'':{NAME_WIDTH}} {'Kept':>5} {'Rate':>5} {'$/kept':>7}"]
    for row in rows:
        kept = f"{row.accepted}/{row.decided}" if row.decided else "–"
        rate = f"{round(row.rate * 100)}%" if row.rate is not None else "–"
        per = row.cost_per_accepted_usd
        cost = usd(per) if per is not None else "–"
        table.append(f"{_name(row.label)} {kept:>5} {rate:>5} {cost:>7}")
    note = "Kept: approved as written or after an edit, of all you decided on."
    return _pre(table) + f"\n<i>{note}</i>"


def chart_caption(data: DailyCosts) -> str:
    total = sum((sum(values, Decimal(0)) for values in data.by_feature.values()), Decimal(0))
    return (
        f"📈 Model cost per day, last {len(data.days)} days: <b>{usd(total)}</b> in all (UTC days)."
    )


def usd(amount: Decimal) -> str:
    if amount == 0:
        return "$0"
    if amount < Decimal("0.01"):
        return "<$0.01"
    return f"${amount:,.2f}"


def count(tokens: int) -> str:
    """12 · 950 · 12.3k · 140k · 1.2M"""
    if tokens < 1000:
        return str(tokens)
    if tokens < 100_000:
        return f"{tokens / 1000:.1f}k"
    if tokens < 1_000_000:
        return f"{tokens // 1000}k"
    return f"{tokens / 1_000_000:.1f}M"


def _name(name: str) -> str:
    """Padded to the column; a long model name is cut with an ellipsis."""
    cut = name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"
    return f"{cut:<{NAME_WIDTH}}"


def _pre(rows: list[str]) -> str:
    return "<pre>" + escape("\n".join(rows), quote=False) + "</pre>"

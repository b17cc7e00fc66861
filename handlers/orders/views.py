"""What /orders says: the import's counts or its problems, and the latest orders."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from core.orders.service import ImportResult
from core.orders.views import OrderView
from handlers.common.dialog import bullet_list
from handlers.common.views import fit

HOW_TO = (
    "<b>📦 Orders</b>\n"
    "Reply drafts use your orders' status and items when a customer names an order. "
    "Send a <b>CSV</b> or <b>JSON</b> file as your next message, or paste the rows.\n"
    "CSV: a header row with <code>order_number,status,items,customer_email</code> "
    "(items like <code>2x Mug; Tea towel</code>). JSON: a list of objects with those fields.\n"
    "Orders are matched by number: sending a file again updates them. /cancel stops."
)
EMPTY = "⚠️ There is nothing to import in that. Send the CSV or JSON, or /cancel."
NOT_ORDERS = (
    "⚠️ {name} is not an orders file. Send a <b>.csv</b> or <b>.json</b> file, or paste the rows."
)
TOO_BIG = "⚠️ {name} is {kib} KB; I import orders files up to {limit_mb} MB."
NOT_TEXT = "⚠️ The file is not text (UTF-8 or Windows-1252); export it as CSV and send it again."


def imported(result: ImportResult) -> str:
    counts = f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged"
    return f"✅ Orders imported: {counts}. Reply drafts now see their status and items."


def refused(problems: list[str]) -> str:
    head = "⚠️ Nothing was imported. Fix these and send it again (or /cancel):"
    return fit(f"{head}\n{bullet_list(problems)}")


def overview(orders: tuple[OrderView, ...], total: int, tz: ZoneInfo) -> str:
    if not orders:
        return HOW_TO + "\n\nNo orders yet."
    lines = [HOW_TO, "", f"<b>Latest orders</b> ({total} in all)"]
    lines += [_line(order, tz) for order in orders]
    return fit("\n".join(lines))


def _line(order: OrderView, tz: ZoneInfo) -> str:
    when = order.updated_at.astimezone(tz).strftime("%d %b %H:%M")
    items = escape(_short(order.items_in_words(), 80))
    customer = f" · {escape(order.customer_email)}" if order.customer_email else ""
    number, status = escape(order.order_number), escape(order.status)
    return f"• <code>{number}</code> · {status} · {items}{customer} · {when}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

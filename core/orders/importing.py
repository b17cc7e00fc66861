"""An orders file read whole: a JSON list or a CSV with a header row.

Every problem is named with where it is ("Line 4: status is required" in a CSV, "Order
#3: ..." in JSON) and an import with any problem imports nothing: the shop fixes the
file and sends it again (re-importing is safe, orders are matched by number).

CSV columns (any order, any case; others are ignored): order_number (or order, order_id,
number), status, items (or products), customer_email (or email). Comma, semicolon or tab.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from core.campaigns.problems import problem_line
from core.errors import ValidationFailed
from core.orders.rows import OrderRow

MAX_ORDERS = 10_000
MAX_PROBLEMS = 20
_ALIASES = {
    "order": "order_number", "order_id": "order_number", "number": "order_number",
    "order_no": "order_number", "products": "items", "email": "customer_email",
}  # fmt: skip
_REQUIRED = ("order_number", "status")


def looks_like_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")


def parse_orders(text: str) -> list[OrderRow]:
    text = text.lstrip("\ufeff")
    return parse_json_orders(_json(text)) if looks_like_json(text) else parse_csv_orders(text)


def parse_json_orders(data: Any) -> list[OrderRow]:
    if isinstance(data, dict) and isinstance(data.get("orders"), list):
        data = data["orders"]
    if not isinstance(data, list):
        raise ValidationFailed(["body: must be a JSON list of orders"])
    return _checked((f"Order #{n}", entry) for n, entry in enumerate(data, start=1))


def parse_csv_orders(text: str) -> list[OrderRow]:
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    columns = {_column(name): name for name in reader.fieldnames or []}
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        found = ", ".join(reader.fieldnames or []) or "none"
        raise ValidationFailed(
            [f"The CSV needs a header row with {' and '.join(missing)} (columns found: {found})"]
        )
    try:
        rows = [(f"Line {reader.line_num}", _renamed(row)) for row in reader]
    except csv.Error as exc:
        raise ValidationFailed([f"Line {reader.line_num}: {exc}"]) from None
    return _checked(rows)


def _checked(entries: Iterable[tuple[str, Any]]) -> list[OrderRow]:
    orders: list[OrderRow] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, entry in entries:
        if len(orders) + len(problems) >= MAX_ORDERS:
            raise ValidationFailed([f"At most {MAX_ORDERS} orders per import; split the file."])
        row = _row(where, entry, problems)
        if row is None:
            continue
        if (first := seen.get(row.order_number)) is not None:
            problems.append(f"{where}: order {row.order_number} is also at {first}")
            continue
        seen[row.order_number] = where.lower()
        orders.append(row)
    if problems:
        raise ValidationFailed(_shortened(problems))
    if not orders:
        raise ValidationFailed(["There are no orders in it."])
    return orders


def _row(where: str, entry: Any, problems: list[str]) -> OrderRow | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be an object")
        return None
    try:
        return OrderRow.model_validate(entry)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            field, _, predicate = problem_line(error).partition(": ")
            problems.append(f"{where}: {field} {predicate}")
        return None


def _shortened(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"… and {len(problems) - MAX_PROBLEMS} more problems"]


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationFailed([f"The file is not valid JSON ({exc})"]) from None


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _column(name: str | None) -> str:
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, key)


def _renamed(row: dict[str | Any, Any]) -> dict[str, Any]:
    # A cell past the header's columns lands under None: ignored, like unknown columns.
    return {_column(key): value for key, value in row.items() if isinstance(key, str)}

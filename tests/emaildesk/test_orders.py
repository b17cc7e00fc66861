"""Orders import on SQLite and PostgreSQL: counts, upsert by number, nothing half-imported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import ValidationFailed
from core.orders.service import ImportResult, OrderService

CSV = """Order Number;Status;Products;Email
A-1;shipped;2x Mug; Tea towel;jane@example.com
"""


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def orders(session_factory: async_sessionmaker[AsyncSession]) -> OrderService:
    return OrderService(session_factory, FixedClock())


async def test_a_csv_creates_then_a_json_updates_and_counts_what_changed(
    orders: OrderService,
) -> None:
    csv_text = (
        "order_number,status,items,customer_email\n"
        'A-1,processing,"2x Mug; Tea towel",Jane@Example.com\n'
        "#b-2,processing,,\n"
    )
    assert await orders.import_text(csv_text) == ImportResult(created=2, updated=0, unchanged=0)
    again = [
        {"order_number": "a-1", "status": "shipped", "items": ["2x Mug", "Tea towel"]},
        {"order_number": "B-2", "status": "processing", "items": []},
        {"order_number": 1003, "status": "paid", "items": [{"name": "Teapot", "qty": 1}]},
    ]
    assert await orders.import_json(again) == ImportResult(created=1, updated=1, unchanged=1)
    order = await orders.get("#A-1")
    assert order is not None and order.status == "shipped"
    assert order.items_in_words() == "2 × Mug, Tea towel"
    # The import said nothing of the email this time: it is cleared, as the file says.
    assert order.customer_email is None
    recent, total = await orders.recent(limit=2)
    assert total == 3 and len(recent) == 2


async def test_a_file_with_any_bad_row_imports_nothing_and_names_each_line(
    orders: OrderService,
) -> None:
    csv_text = "order_number,status,customer_email\nA-1,shipped,\n,paid,\nA-1,x,not-an-address\n"
    with pytest.raises(ValidationFailed) as caught:
        await orders.import_text(csv_text)
    assert caught.value.problems == [
        "Line 3: order_number is empty",
        "Line 4: customer_email is not an email address ('not-an-address')",
    ]
    assert await orders.recent() == ((), 0)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("foo,bar\n1,2\n", "The CSV needs a header row with order_number and status"),
        ("[{", "The file is not valid JSON"),
        ("order_number,status\n", "There are no orders in it."),
        ('[{"order_number": "A-1"}]', "Order #1: status is required"),
    ],
)
async def test_unusable_files_say_why(orders: OrderService, text: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await orders.import_text(text)
    assert caught.value.problems[0].startswith(problem)

"""An order as the rest of the bot sees it: plain data, no session attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.models import Order


@dataclass(frozen=True)
class OrderItem:
    name: str
    quantity: int = 1

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "quantity": self.quantity}

    def __str__(self) -> str:
        return self.name if self.quantity == 1 else f"{self.quantity} × {self.name}"


@dataclass(frozen=True)
class OrderView:
    order_number: str
    status: str
    items: tuple[OrderItem, ...]
    customer_email: str | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Order) -> OrderView:
        items = tuple(
            OrderItem(str(item.get("name", "")), int(item.get("quantity", 1))) for item in row.items
        )
        return cls(row.order_number, row.status, items, row.customer_email, row.updated_at)

    def items_in_words(self) -> str:
        return ", ".join(str(item) for item in self.items) or "no items listed"

    def as_json(self) -> dict[str, Any]:
        return {
            "order_number": self.order_number,
            "status": self.status,
            "items": [item.as_json() for item in self.items],
            "customer_email": self.customer_email,
            "updated_at": self.updated_at.isoformat(),
        }

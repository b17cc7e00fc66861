"""One order as an import gives it, checked: number, status, items, customer email.

Items may be a list of names, a list of objects (`name`/`title`/`product`/`sku` and
`quantity`/`qty`), or one string as a CSV cell holds it: "2x Mug; Tea towel".
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from core.emaildesk.addresses import is_address
from core.orders.numbers import normalise, problem
from core.orders.views import OrderItem

MAX_ITEMS = 200
_COUNTED = re.compile(r"^(?:(\d{1,5})\s*[x×]\s*(.+)|(.+?)\s*[x×]\s*(\d{1,5}))$", re.IGNORECASE)
_NAME_KEYS = ("name", "title", "product", "sku")
_QUANTITY_KEYS = ("quantity", "qty")


def _text(value: Any) -> Any:
    # Spreadsheets export numbers as numbers: an order number 1001 is the text "1001".
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class OrderRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    order_number: Annotated[str, BeforeValidator(_text)]
    status: str = Field(min_length=1, max_length=60)
    items: list[OrderItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    customer_email: str | None = None

    @field_validator("order_number")
    @classmethod
    def _number(cls, value: str) -> str:
        number = normalise(value)
        if (why := problem(number)) is not None:
            raise ValueError(why)
        return number

    @field_validator("items", mode="before")
    @classmethod
    def _items(cls, value: Any) -> list[OrderItem]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [part for part in re.split(r"[;|\n]", value) if part.strip()]
        if not isinstance(value, list):
            raise ValueError("must be a list, or text like '2x Mug; Tea towel'")
        return [_item(entry) for entry in value]

    @field_validator("customer_email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not is_address(value.strip()):
            raise ValueError(f"is not an email address ({str(value)[:80]!r})")
        return value.strip().lower()

    def values(self) -> dict[str, Any]:
        return {
            "order_number": self.order_number,
            "status": self.status,
            "items": [item.as_json() for item in self.items],
            "customer_email": self.customer_email,
        }


def _item(entry: Any) -> OrderItem:
    if isinstance(entry, str):
        return _counted(entry.strip())
    if isinstance(entry, dict):
        name = next((str(entry[k]).strip() for k in _NAME_KEYS if entry.get(k)), "")
        quantity = next((entry[k] for k in _QUANTITY_KEYS if k in entry), 1)
        if not name:
            raise ValueError("an item has no name")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValueError(f"item {name!r}: quantity must be a whole number of at least 1")
        return OrderItem(name[:200], quantity)
    raise ValueError("each item must be a name or an object with a name")


def _counted(text: str) -> OrderItem:
    match = _COUNTED.match(text)
    if match is None:
        return OrderItem(text[:200])
    count, name = (match.group(1), match.group(2)) if match.group(1) else match.group(4, 3)
    return OrderItem(name.strip()[:200], max(1, int(count)))

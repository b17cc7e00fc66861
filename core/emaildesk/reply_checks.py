"""A second look at a draft: promises the order data does not back.

The templates tell the model never to promise a delivery date, a refund or a discount
the order data does not support; models don't always listen. These checks find such
wording in the draft, so the card says so plainly and the draft needs review. They
warn, never rewrite: the person decides.
"""

from __future__ import annotations

import re

_DAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)"
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DELIVERY = re.compile(
    rf"\b(by|on|before|until)\s+(this\s+|next\s+)?{_DAY}\b"
    rf"|\bwithin\s+\d+\s+(business\s+|working\s+)?(days?|hours?|weeks?)\b"
    rf"|\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}([./]\d{2,4})?\b"
    r"|\b(next|this)\s+week\b",
    re.IGNORECASE,
)
_REFUND = re.compile(r"\brefund", re.IGNORECASE)
_DISCOUNT = re.compile(r"\bdiscount|\bvoucher|\bcoupon|\d+\s?%\s*off\b", re.IGNORECASE)

DATE = "It names a date or a time frame; the order data has no delivery date. Check it."
REFUND = "It mentions a refund; the order data does not show one. Check before sending."
DISCOUNT = "It offers a discount or a voucher; nothing in the data backs that. Check it."


def unsupported_promises(draft: str, order_status: str | None) -> list[str]:
    """One line per kind of promise the draft makes that the order data doesn't back."""
    found = []
    if _DELIVERY.search(draft):
        found.append(DATE)
    if _REFUND.search(draft) and "refund" not in (order_status or "").lower():
        found.append(REFUND)
    if _DISCOUNT.search(draft):
        found.append(DISCOUNT)
    return found

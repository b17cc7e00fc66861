"""The vocabulary of sending sequence emails: a delivery's statuses, suppression reasons.

One delivery is one sequence email to one recipient:

    pending → sending → sent | failed | unknown        (and pending → suppressed)

`sending` is committed right before the message leaves: a crash from there on leaves
the outcome unknown, so it is never resent without a human. `suppressed`: the address
unsubscribed (or was refused for good) before it was sent.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SUPPRESSED = "suppressed"


D = DeliveryStatus
# Nothing more happens to these by itself.
FINAL: tuple[DeliveryStatus, ...] = (D.SENT, D.FAILED, D.UNKNOWN, D.SUPPRESSED)
# Still owed: a sequence email is not done while any of its deliveries is in these.
OPEN: tuple[DeliveryStatus, ...] = (D.PENDING, D.SENDING)


class SuppressionReason(StrEnum):
    UNSUBSCRIBED = "unsubscribed"

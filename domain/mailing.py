"""The vocabulary of sending sequence emails: a delivery's statuses, suppression reasons.

One delivery is one sequence email to one recipient:

    pending → sending → sent | failed | unknown        (and pending → suppressed)
                         sent | unknown → bounced        (a delivery report said it failed)

`sending` is committed right before the message leaves: a crash from there on leaves
the outcome unknown, so it is never resent without a human. `suppressed`: the address
unsubscribed (or was refused for good) before it was sent. `bounced`: the server took it,
then a delivery status notification (RFC 3464) came back saying it failed for good.
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
    BOUNCED = "bounced"


D = DeliveryStatus
# Nothing more happens to these by itself.
FINAL: tuple[DeliveryStatus, ...] = (D.SENT, D.FAILED, D.UNKNOWN, D.SUPPRESSED, D.BOUNCED)
# Still owed: a sequence email is not done while any of its deliveries is in these.
OPEN: tuple[DeliveryStatus, ...] = (D.PENDING, D.SENDING)


class SuppressionReason(StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"  # a hard bounce (5.x.x): the address does not take mail

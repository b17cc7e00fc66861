"""What the sequences need from elsewhere, as protocols (the composition root passes them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from core.sequences.views import SequenceEmailView


class ModelCheck(Protocol):
    async def model_problem(self, model: str) -> str | None:
        """None when the LLM gateway can call and price `model`; else why not, in words."""
        ...


class DeliveryStats(Protocol):
    """The mailing side's send log (core/mailing), read for a sequence's views."""

    async def per_recipient(self, sequence_id: int) -> Mapping[str, Mapping[str, int]]:
        """Recipient address -> delivery status -> count, for one sequence."""
        ...

    async def per_email(self, sequence_id: int) -> Mapping[int, Mapping[str, int]]:
        """Sequence email id -> delivery status -> count, for one sequence."""
        ...


class HeldAlerter(Protocol):
    async def held(self, email: SequenceEmailView) -> None:
        """Tell the admins this email was held; raise if none could be reached."""
        ...

"""Stored flows as plain values: what /flow, the REST API and the bench read.

`FlowVersionView.as_json()` is the design's response (`initialStepID`, `steps`, `metadata`)
with our metadata on top; `FlowView.as_json()` is GET /api/v1/flows/{id}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.llm.budget import from_micro
from domain.flow_status import FlowStatus
from storage.models import Flow, FlowVersion


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class FlowVersionView:
    flow_id: int
    version: int
    description: str
    flow: dict[str, Any]  # the wire JSON: {"initialStepID", "steps"}
    model_used: str
    tokens_used: int
    generation_time_ms: int
    prompt_version: int
    prompt_variant: str
    cost_usd: Decimal
    repairs: int
    corrections: tuple[str, ...]
    created_at: datetime
    created_by: int | None

    @classmethod
    def from_row(cls, row: FlowVersion) -> FlowVersionView:
        return cls(
            flow_id=row.flow_id,
            version=row.version,
            description=row.description,
            flow=json.loads(row.flow),
            model_used=row.model_used,
            tokens_used=row.tokens_used,
            generation_time_ms=row.generation_time_ms,
            prompt_version=row.prompt_version,
            prompt_variant=row.prompt_variant,
            cost_usd=from_micro(row.cost_microusd),
            repairs=row.repairs,
            corrections=tuple(str(line) for line in row.corrections),
            created_at=row.created_at,
            created_by=row.created_by,
        )

    def metadata(self) -> dict[str, Any]:
        return {
            "generated_at": _iso(self.created_at),
            "model_used": self.model_used,
            "tokens_used": self.tokens_used,
            "generation_time_ms": self.generation_time_ms,
            "prompt_version": self.prompt_version,
            "prompt_variant": self.prompt_variant,
            "cost_usd": str(self.cost_usd),
            "flow_id": self.flow_id,
            "version": self.version,
            "repairs": self.repairs,
            "corrections": list(self.corrections),
            # Only valid flows are stored; said explicitly for clients that check.
            "valid": True,
        }

    def as_json(self) -> dict[str, Any]:
        """The design's response: the flow as it is, plus `metadata`."""
        return {**self.flow, "metadata": self.metadata()}

    @property
    def step_count(self) -> int:
        steps = self.flow.get("steps", [])
        return len(steps) if isinstance(steps, list) else 0


@dataclass(frozen=True)
class FlowView:
    id: int
    description: str
    status: FlowStatus
    current_version: int
    approved_version: int | None
    current: FlowVersionView
    version_numbers: tuple[int, ...]
    source: str
    created_by: int | None
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None

    @classmethod
    def from_rows(cls, row: Flow, versions: list[FlowVersion]) -> FlowView:
        current = next(v for v in versions if v.version == row.current_version)
        return cls(
            id=row.id,
            description=row.description,
            status=FlowStatus(row.status),
            current_version=row.current_version,
            approved_version=row.approved_version,
            current=FlowVersionView.from_row(current),
            version_numbers=tuple(v.version for v in versions),
            source=row.source,
            created_by=row.created_by,
            created_at=row.created_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
        )

    def as_json(self, versions: tuple[FlowVersionView, ...] = ()) -> dict[str, Any]:
        """GET /api/v1/flows/{id}: the current version in the design's shape, the flow's
        status, and every version (each in the same shape) when given."""
        return {
            **self.current.as_json(),
            "flow_id": self.id,
            "description": self.description,
            "status": self.status.value,
            "current_version": self.current_version,
            "approved_version": self.approved_version,
            "created_at": _iso(self.created_at),
            "decided_at": _iso(self.decided_at) if self.decided_at else None,
            "versions": [
                {"version": v.version, "description": v.description, **v.as_json()}
                for v in versions
            ],
        }


@dataclass(frozen=True)
class FlowSummary:
    id: int
    description: str
    status: FlowStatus
    current_version: int
    approved_version: int | None
    versions: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Flow, versions: int) -> FlowSummary:
        return cls(
            id=row.id,
            description=row.description,
            status=FlowStatus(row.status),
            current_version=row.current_version,
            approved_version=row.approved_version,
            versions=versions,
            created_at=row.created_at,
        )

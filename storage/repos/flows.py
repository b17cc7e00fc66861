"""flows and flow_versions rows. Moving a flow on (a new version, a decision) is a
conditional UPDATE whose WHERE clause is the lock: two replicas or a double tap change a
row once. The caller owns the transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from domain.flow_status import FlowStatus
from storage.models import Flow, FlowVersion


async def insert(session: AsyncSession, values: dict[str, Any]) -> Flow:
    """A new flow at version 1 (its version row is added by the caller)."""
    row = Flow(status=FlowStatus.DRAFT, current_version=1, **values)
    session.add(row)
    await session.flush()
    return row


async def add_version(session: AsyncSession, values: dict[str, Any]) -> FlowVersion:
    row = FlowVersion(**values)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, flow_id: int) -> Flow | None:
    return await session.get(Flow, flow_id, populate_existing=True)


async def version(session: AsyncSession, flow_id: int, number: int) -> FlowVersion | None:
    row: FlowVersion | None = await session.scalar(
        select(FlowVersion).where(FlowVersion.flow_id == flow_id, FlowVersion.version == number)
    )
    return row


async def versions(session: AsyncSession, flow_id: int) -> list[FlowVersion]:
    rows = await session.scalars(
        select(FlowVersion).where(FlowVersion.flow_id == flow_id).order_by(FlowVersion.version)
    )
    return list(rows)


async def version_counts(session: AsyncSession, flow_ids: list[int]) -> dict[int, int]:
    if not flow_ids:
        return {}
    rows = await session.execute(
        select(FlowVersion.flow_id, func.count())
        .where(FlowVersion.flow_id.in_(flow_ids))
        .group_by(FlowVersion.flow_id)
    )
    return {flow_id: count for flow_id, count in rows}


async def recent(session: AsyncSession, *, offset: int, limit: int) -> list[Flow]:
    """Newest first; ties (one clock tick) by id so pages never overlap."""
    rows = await session.scalars(
        select(Flow).order_by(Flow.created_at.desc(), Flow.id.desc()).offset(offset).limit(limit)
    )
    return list(rows)


async def advance(
    session: AsyncSession, flow_id: int, expected_version: int, description: str
) -> bool:
    """current_version expected → expected + 1 as a draft, once: False when another
    regeneration got there first."""
    still = (Flow.id == flow_id, Flow.current_version == expected_version)
    values = {
        "current_version": expected_version + 1,
        "status": FlowStatus.DRAFT,
        "description": description,
        "decided_by": None,
        "decided_at": None,
    }
    return await _update(session, still, values)


async def decide(
    session: AsyncSession, flow_id: int, version: int, status: FlowStatus, values: dict[str, Any]
) -> bool:
    """A draft's current version approved or rejected, once: False when it was decided
    already or is no longer the current version."""
    still = (
        Flow.id == flow_id,
        Flow.current_version == version,
        Flow.status == FlowStatus.DRAFT,
    )
    extra = {"approved_version": version} if status == FlowStatus.APPROVED else {}
    return await _update(session, still, {**values, **extra, "status": status})


async def _update(
    session: AsyncSession, where: tuple[ColumnElement[bool], ...], values: dict[str, Any]
) -> bool:
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Flow).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1

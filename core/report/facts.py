"""The facts of a report: numbers computed from the database, each with an id.

Facts are never written by the model; it reads them and may cite only their ids
(core/report/answer.py checks). The ids are numbered in the order shown, F1, F2, ...,
so the person reading the report finds a cited fact at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.llm.budget import format_usd, from_micro
from core.usage.acceptance import KINDS
from core.usage.features import feature_of
from domain.statuses import PostStatus
from domain.timegrammar import DateRange
from storage.repos import engagement as engagement_repo
from storage.repos import outcomes as outcome_repo
from storage.repos import usage as repo


@dataclass(frozen=True)
class Fact:
    id: str
    text: str


@dataclass(frozen=True)
class FactSheet:
    period: DateRange
    facts: tuple[Fact, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(fact.id for fact in self.facts)


def bounds(period: DateRange, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's local days as a UTC window [first midnight, the midnight after)."""
    since = datetime.combine(period.start, time.min, tzinfo=tz)
    until = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    return since.astimezone(UTC), until.astimezone(UTC)


async def collect(session: AsyncSession, period: DateRange, tz: ZoneInfo) -> FactSheet:
    since, until = bounds(period, tz)
    texts = [
        *await _publishing(session, since, until),
        *await _acceptance(session, since, until),
        *await _costs(session, since, until),
    ]
    facts = tuple(Fact(f"F{n}", text) for n, text in enumerate(texts, start=1))
    return FactSheet(period, facts)


async def _publishing(session: AsyncSession, since: datetime, until: datetime) -> list[str]:
    published = await repo.post_transitions(session, PostStatus.PUBLISHED, since, until)
    failed = await repo.post_transitions(session, PostStatus.FAILED, since, until)
    waits = await repo.approval_waits(session, since, until)
    found = [f"Posts published: {published}", f"Posts that failed to publish: {failed}"]
    if waits:
        found.append(
            f"Posts approved: {len(waits)}; typical time from draft to approval "
            f"(median): {duration(median(waits))}"
        )
    else:
        found.append("Posts approved: 0")
    return found + await _reactions(session, since, until)


async def _reactions(session: AsyncSession, since: datetime, until: datetime) -> list[str]:
    """The channel's reactions on the period's posts (core/publishing/engagement); no fact
    when none were counted (the bot must be the channel's admin to receive them)."""
    top = await engagement_repo.top_posts(session, since, until)
    if not top:
        return []
    listed = ", ".join(f"“{post.title}” ({post.reactions})" for post in top)
    return [f"Posts with the most channel reactions: {listed}"]


async def _acceptance(session: AsyncSession, since: datetime, until: datetime) -> list[str]:
    counts = await outcome_repo.counts_by_kind(session, since=since, until=until)
    found = []
    for kind, label in KINDS:
        row = counts.get(kind.value)
        if row is None or not row.decided:
            continue
        percent = row.accepted * 100 // row.decided
        found.append(
            f"{label}: {row.accepted} of {row.decided} kept ({percent} %), "
            f"{row.approved_after_edit} of them after an edit, {row.regenerated} regenerated, "
            f"{row.rejected} rejected"
        )
        wait = row.average_seconds_to_decision
        if wait is not None:
            found.append(f"{label}: average time to a decision {duration(wait)}")
        per_item = row.cost_per_accepted_microusd
        if per_item is not None:
            found.append(f"{label}: model cost per kept item ${_usd_micro(per_item)}")
    return found or ["No generated drafts were decided on in this period"]


async def _costs(session: AsyncSession, since: datetime, until: datetime) -> list[str]:
    spend = await repo.spend_by(session, "template", since, until)
    health = await repo.call_health(session, since, until)
    total = sum(row.cost_microusd for row in spend)
    found = [f"Model cost: ${_usd_micro(total)} for {health.total} calls"]
    by_feature: dict[str, int] = {}
    for row in spend:
        name = feature_of(row.key)
        by_feature[name] = by_feature.get(name, 0) + row.cost_microusd
    if total and by_feature:
        name, cost = max(by_feature.items(), key=lambda item: (item[1], item[0]))
        found.append(f"Costliest feature: {name}, ${_usd_micro(cost)} ({cost * 100 // total} %)")
    if health.total:
        found.append(f"Model calls that failed: {health.failed} of {health.total}")
    if health.over_budget:
        found.append(
            f"Model calls refused because the daily budget was used up: {health.over_budget}"
        )
    return found


def duration(seconds: float) -> str:
    """ "45 min", "3.5 h", "2.1 days": one unit, the one a person would use."""
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _usd_micro(microusd: float) -> str:
    return format_usd(from_micro(int(microusd))) if microusd else format_usd(Decimal(0))

"""Read models and actions behind the Mini App dashboard (bot/miniapp): the calendar of
posts and sequence emails, the numbers, brand settings. The review queue is
core/review_queue."""

from __future__ import annotations

from core.dashboard.brands import BrandSettings
from core.dashboard.calendar import CalendarGrid, CalendarItem, DashboardCalendar
from core.dashboard.numbers import DashboardNumbers, Numbers

__all__ = [
    "BrandSettings",
    "CalendarGrid",
    "CalendarItem",
    "DashboardCalendar",
    "DashboardNumbers",
    "Numbers",
]

"""The /usage chart: cost per day for the last 30 days, stacked by feature, as a PNG.

matplotlib is imported when a chart is drawn, never when this module is imported: it
costs ~40 MB and a second of start-up, and most /usage calls never ask for a chart
(tests/usage/test_chart.py checks). Drawing runs in a worker thread so the event loop keeps
serving updates; it uses a bare Figure on the Agg canvas, never pyplot, so no GUI backend
and no global figure state are involved. One drawing at a time: matplotlib's font cache
and text layout are not documented as thread-safe.
"""

from __future__ import annotations

import asyncio
import io
import threading
from decimal import Decimal
from typing import TYPE_CHECKING

from core.usage.types import DailyCosts

if TYPE_CHECKING:  # for annotations only: no import at run time (see above)
    from matplotlib.axes import Axes

# Features beyond this many are summed as "Other features", so the legend stays readable.
MAX_SERIES = 5
_COLORS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")
_lock = threading.Lock()


async def render_png(data: DailyCosts) -> bytes:
    return await asyncio.to_thread(draw_png, data)


def draw_png(data: DailyCosts) -> bytes:
    """Blocking: call through render_png from async code."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # see the module docstring
    from matplotlib.figure import Figure

    series = _top_series(data.by_feature)
    with _lock:
        figure = Figure(figsize=(8, 4), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(data.days)))
        bottom = [0.0] * len(data.days)
        for (name, values), color in zip(series, _COLORS, strict=False):
            heights = [float(value) for value in values]
            axes.bar(positions, heights, bottom=bottom, label=name, color=color, width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        if data.cap_usd > 0:
            axes.axhline(float(data.cap_usd), color="#888888", linestyle="--", linewidth=1,
                         label=f"Daily budget ${data.cap_usd:.2f}")  # fmt: skip
        _label_axes(axes, data)
        if series or data.cap_usd > 0:
            axes.legend(loc="upper left", fontsize=8, frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _top_series(
    by_feature: dict[str, tuple[Decimal, ...]],
) -> list[tuple[str, tuple[Decimal, ...]]]:
    """The costliest features by name, the rest summed as one."""
    ranked = sorted(by_feature.items(), key=lambda item: (-sum(item[1]), item[0]))
    if len(ranked) <= MAX_SERIES:
        return ranked
    kept, rest = ranked[: MAX_SERIES - 1], ranked[MAX_SERIES - 1 :]
    summed = tuple(sum(day) for day in zip(*(values for _, values in rest), strict=True))
    return [*kept, ("Other features", tuple(Decimal(v) for v in summed))]


def _label_axes(axes: Axes, data: DailyCosts) -> None:
    step = max(1, len(data.days) // 10)  # about ten date labels, never crowded
    ticks = list(range(0, len(data.days), step))
    axes.set_xticks(ticks, [f"{data.days[n].day} {data.days[n]:%b}" for n in ticks], fontsize=8)
    axes.set_ylabel("Cost per day (USD)")
    axes.set_title(f"Model cost per day, last {len(data.days)} days (UTC)")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_ylim(bottom=0)

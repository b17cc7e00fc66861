"""/prompts texts. An acceptance rate is always shown with its 95 % range and its count,
so 3 kept of 4 (30–95 %) reads as the guess it is next to 70 of 100 (60–78 %)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from core.experiments.service import Promotion, TemplateReport, VariantReport, VersionReport
from core.experiments.stats import wilson_interval
from storage.repos.outcomes import OutcomeCounts

MAX_TEXT = 4096
# Older versions beyond these are summed up in one line: the card stays readable.
MAX_VERSIONS = 4
NO_TEMPLATES = "There are no prompt templates."
CANT_PROMOTE = "This template has one variant only: there is nothing to promote."
HEAD = (
    "🧪 <b>Prompt templates</b>\n"
    "<i>Kept = approved as-is or after an edit, out of the decided items (regenerated and "
    "rejected count against). The range is the 95 % interval.</i>"
)


def overview(reports: Iterable[TemplateReport]) -> str:
    blocks = [HEAD]
    for report in reports:
        blocks.append(
            f"<b>{escape(report.name)}</b> {_version_line(report)}\n  {_rate(report.totals)}"
        )
    blocks.append("Tap a template for its versions and variants.")
    return _joined(blocks)


def template(report: TemplateReport) -> str:
    title = f"🧪 <b>{escape(report.name)}</b> {_version_line(report)}"
    blocks = [f"{title}\n<i>{escape(report.description)}</i>"]
    shown, older = report.versions[:MAX_VERSIONS], report.versions[MAX_VERSIONS:]
    blocks += [_version(version) for version in shown]
    if older:
        total = sum((v.counts for version in older for v in version.variants), OutcomeCounts())
        blocks.append(f"<b>{len(older)} older versions</b>\n  {_rate(total)}")
    if report.promotable:
        blocks.append(
            "⭐ <b>Promote</b> makes one variant the only text (100 % of the traffic) as a new "
            "version, on every replica, until the file on disk changes."
        )
    return _joined(blocks)


def confirm(report: TemplateReport, variant: str) -> str:
    return (
        f"⭐ Promote <b>{escape(variant)}</b> of <b>{escape(report.name)}</b>?\n\n"
        f"It becomes the only text of this template (100 % of the traffic) as a new version, "
        f"used from now on by every replica, until prompts/{escape(report.name)}.yaml "
        f"changes on disk. The other variants stop being used."
    )


def promoted(promotion: Promotion) -> str:
    name = escape(promotion.name)
    return (
        f"⭐ <b>{escape(promotion.variant)}</b> is now the text of <b>{name}</b> "
        f"(version {promotion.version}).\n\n"
        f"The file below is that version: commit it as <code>prompts/{name}.yaml</code> "
        "to keep it. Until the file on disk changes, the bot uses the promoted text."
    )


def promoted_caption(promotion: Promotion) -> str:
    return f"prompts/{escape(promotion.name)}.yaml — version {promotion.version}"


def _version_line(report: TemplateReport) -> str:
    line = f"v{report.version}"
    if report.promoted_variant is not None:
        return f"{line} · ⭐ promoted: {escape(report.promoted_variant)}"
    current = next((v for v in report.versions if v.current), None)
    arms = len(current.variants) if current is not None else 1
    return f"{line} · {arms} variants" if arms > 1 else line


def _version(version: VersionReport) -> str:
    title = f"<b>v{version.version}</b>" + (" (current)" if version.current else "")
    return "\n".join([title, *(_variant(variant) for variant in version.variants)])


def _variant(variant: VariantReport) -> str:
    share = f" · {variant.weight} % of traffic" if variant.weight is not None else ""
    counts = variant.counts
    lines = [f"• <b>{escape(variant.name)}</b>{share}", f"  {_rate(counts, variant.interval)}"]
    if counts.decided or counts.pending:
        lines.append(
            f"  ✅ {counts.approved_as_is} as-is · ✏️ {counts.approved_after_edit} edited · "
            f"🔄 {counts.regenerated} regenerated · 🗑 {counts.rejected} rejected · "
            f"⏳ {counts.pending} waiting"
        )
    if counts.decided:
        lines.append(
            f"  {usd(counts.average_cost_microusd)} per item · "
            f"{usd(counts.cost_per_accepted_microusd)} per kept item · "
            f"decided in {duration(counts.average_seconds_to_decision)} on average"
        )
    return "\n".join(lines)


def _rate(counts: OutcomeCounts, interval: tuple[float, float] | None = None) -> str:
    if not counts.decided:
        waiting = f" ({counts.pending} waiting)" if counts.pending else ""
        return f"no decisions yet{waiting}"
    if interval is None:
        interval = wilson_interval(counts.accepted, counts.decided)
    low, high = interval
    rate = counts.accepted / counts.decided
    per_kept = usd(counts.cost_per_accepted_microusd)
    return (
        f"{counts.accepted} of {counts.decided} kept: <b>{rate:.0%}</b> "
        f"({low:.0%}–{high:.0%}) · {per_kept} per kept item"
    )


def usd(microusd: float | None) -> str:
    """Model costs are fractions of a cent: four decimals under a dollar."""
    if microusd is None:
        return "–"
    dollars = microusd / 1_000_000
    return f"${dollars:.4f}" if dollars < 1 else f"${dollars:,.2f}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _joined(blocks: list[str]) -> str:
    """Whole blocks only, so no HTML tag is ever cut in two; a note says what was left out."""
    text = ""
    for index, block in enumerate(blocks):
        candidate = f"{text}\n\n{block}" if text else block
        if len(candidate) > MAX_TEXT - 60:
            return f"{text}\n\n<i>… and {len(blocks) - index} more not shown.</i>"
        text = candidate
    return text

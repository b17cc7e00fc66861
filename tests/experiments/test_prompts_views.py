"""/prompts texts stay within Telegram's limit and never cut an HTML tag in two."""

from __future__ import annotations

import re

from core.experiments.service import TemplateReport, VariantReport, VersionReport
from core.experiments.stats import wilson_interval
from handlers.prompts import views
from storage.repos.outcomes import OutcomeCounts

COUNTS = OutcomeCounts(approved_as_is=30, approved_after_edit=5, regenerated=10, rejected=5,
                       pending=2, cost_microusd=50_000, seconds_to_decision=50 * 600)  # fmt: skip


def variant(name: str, weight: int | None) -> VariantReport:
    return VariantReport(name, weight, COUNTS, wilson_interval(COUNTS.accepted, COUNTS.decided))


def report(name: str, versions: int) -> TemplateReport:
    history = tuple(
        VersionReport(number, number == versions, (variant("base", 50), variant("bold<b>", 50)))
        for number in range(versions, 0, -1)
    )
    return TemplateReport(name, "Says <hello> & more", versions, None, history, COUNTS)


def balanced(html: str) -> bool:
    tags = re.findall(r"</?(b|i|code)>", html)
    opened = re.findall(r"<(b|i|code)>", html)
    return len(tags) == 2 * len(opened)


def test_a_long_history_shows_the_newest_versions_and_sums_the_rest() -> None:
    text = views.template(report("suggest_post", versions=9))
    assert "<b>v9</b> (current)" in text and "<b>v6</b>" in text and "<b>v5</b>" not in text
    assert "<b>5 older versions</b>\n  350 of 500 kept: <b>70%</b>" in text
    assert "bold&lt;b&gt;" in text and "Says &lt;hello&gt; &amp; more" in text
    assert "35 of 50 kept: <b>70%</b> (56%–81%)" in text
    assert "$0.0010 per item · $0.0014 per kept item · decided in 10 min on average" in text
    assert len(text) <= views.MAX_TEXT and balanced(text)


def test_many_templates_fit_one_message_with_a_note_on_the_rest() -> None:
    text = views.overview([report(f"template_number_{n}", 2) for n in range(200)])
    assert len(text) <= views.MAX_TEXT and balanced(text)
    assert re.search(r"… and \d+ more not shown\.", text)


def test_money_and_durations_read_naturally() -> None:
    assert views.usd(None) == "–" and views.usd(1234) == "$0.0012"
    assert views.usd(2_500_000) == "$2.50"
    assert [views.duration(s) for s in (40, 600, 7200, 3 * 86400)] == [
        "40 s", "10 min", "2.0 h", "3.0 days",
    ]  # fmt: skip

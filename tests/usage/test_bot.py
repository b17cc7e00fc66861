"""/usage and /report in Telegram: real Application, Bot API double, real litellm path."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from core.report.answer import RECOMMENDATIONS
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import Harness
from tests.usage.support import add_calls, call


async def seed(harness: Harness) -> None:
    now = datetime.now(UTC)
    async with harness.bot.services.sessions() as session, session.begin():
        await add_calls(
            session,
            call(now - timedelta(minutes=1), "suggest_post", microusd=12_000),
            call(
                now - timedelta(days=3),
                "email_reply_inquiry",
                model="openai/gpt-4o",
                tokens=(2000, 500),
                microusd=30_000,
            ),
        )


async def test_usage_shows_periods_budget_and_kept_drafts_then_switches_period(
    harness: Harness,
) -> None:
    await seed(harness)
    harness.send("/usage")
    shown = await harness.said("Model usage")
    text = shown.params["text"]
    assert "Cost       $0.01    $0.04    $0.04" in text  # today, 7 and 30 days
    assert "💰 Budget today: <b>$10.00</b> left of $10.00" in text  # seeded, not booked
    assert "By feature, 7 days" in text and "Email replies" in text and "gpt-4o " in text
    assert "openai/" not in text  # the provider prefix is noise
    assert "Post ideas" in text and "Sequence emails" in text  # every kind, decided or not
    assert set(buttons(shown)) == {"Today", "• 7 days", "30 days", "📈 Chart, 30 days"}

    harness.tap(harness.message_id_of(shown), buttons(shown)["Today"])
    today = await harness.said("By feature, today")
    section = today.params["text"].split("By feature, today")[1].split("By model")[0]
    assert "Post ideas" in section and "Email replies" not in section  # 3 days ago
    assert "• Today" in buttons(today)


async def test_the_chart_arrives_as_a_png(harness: Harness) -> None:
    await seed(harness)
    harness.send("/usage")
    shown = await harness.said("Model usage")
    harness.tap(harness.message_id_of(shown), buttons(shown)["📈 Chart, 30 days"])
    photo = await harness.api.wait_for("sendPhoto", timeout=20)
    assert photo.ok and photo.files["photo"].data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "last 30 days: <b>$0.04</b> in all" in photo.params["caption"]


async def test_no_calls_no_chart_but_a_sentence(harness: Harness) -> None:
    harness.send("/usage")
    shown = await harness.said("Model usage")
    assert shown.params["text"].count("No model calls in this period.") == 2
    harness.tap(harness.message_id_of(shown), buttons(shown)["📈 Chart, 30 days"])
    await harness.said("nothing to draw yet")
    assert not harness.api.calls_to("sendPhoto")


def report_answer(cited: str) -> dict[str, object]:
    return {
        "insights": [{"text": "Nothing went out <yet>.", "fact_ids": ["F1"]}],
        "recommendations": [
            {"text": f"Step {n}: approve drafts sooner.", "fact_ids": [cited if n == 2 else "F1"]}
            for n in range(1, RECOMMENDATIONS + 1)
        ],
    }


async def test_report_facts_first_then_three_recommendations_citing_real_facts(
    harness: Harness,
) -> None:
    await seed(harness)
    harness.llm.reply(report_answer("F99"))  # an invented fact: refused, the model re-asked
    harness.llm.reply(report_answer("F4"))
    harness.send("/report last 7 days")
    facts = await harness.said("Report:")
    assert "<b>F1</b> Posts published: 0" in facts.params["text"]
    assert "Model cost: $0.04 for 2 calls" in facts.params["text"]
    reading = await harness.said("What the facts say")
    text = reading.params["text"]
    assert "Nothing went out &lt;yet&gt;. <i>(F1)</i>" in text
    assert "2. Step 2: approve drafts sooner. <i>(F4)</i>" in text and "F99" not in text
    assert "3. Step 3" in text
    reask = harness.llm.requests[1]["messages"][-1]["content"]
    assert "F99" in reask and "not among the facts" in reask
    facts_sent = json.dumps(harness.llm.requests[0]["messages"])
    assert "F5: Model cost: $0.04 for 2 calls" in facts_sent


async def test_report_asks_for_a_period_explains_a_bad_one_and_takes_a_tap(
    harness: Harness,
) -> None:
    harness.send("/report")
    ask = await harness.said("Which period should the report cover?")
    assert set(buttons(ask)) == {"Last 7 days", "Last 30 days", "Last week", "Last month"}
    harness.send("next week")
    refused = await harness.said("couldn't read “next week” as a period")
    assert "Europe/Berlin" in refused.params["text"]
    harness.llm.fail(500)
    harness.tap(harness.message_id_of(refused), buttons(refused)["Last month"])
    await harness.said("Report:")
    dropped = harness.api.last("editMessageReplyMarkup")
    assert dropped.params["message_id"] == harness.message_id_of(refused)
    await harness.said("No insights this time")
    harness.send("hello")  # the question was answered: text is no longer a period
    await harness.said("I didn't expect a message here")

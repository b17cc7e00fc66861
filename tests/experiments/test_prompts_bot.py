"""/prompts in Telegram: the real Application, the Bot API double, the real registry."""

from __future__ import annotations

from datetime import UTC, datetime

from core.prompting.template import PromptTemplate
from tests.doubles.telegram_api import RecordedCall
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import Harness
from tests.experiments.support import decided_items, decisions
from tests.prompting.test_templates import SAMPLE_VARIABLES

TEMPLATE = "suggest_post"  # shipped with two variants, concise and story, 50 % each


async def seed(harness: Harness) -> int:
    concise = decisions(approved=3, rejected=1)
    story = decisions(approved=7, regenerated=3)
    version = harness.bot.services.prompts.version(TEMPLATE)
    now = datetime.now(UTC)
    async with harness.bot.services.sessions.begin() as session:
        await decided_items(
            session, template=TEMPLATE, version=version, variant="concise",
            decisions=concise, at=now, edited=1,
        )  # fmt: skip
        await decided_items(
            session, template=TEMPLATE, version=version, variant="story",
            decisions=story, at=now, first_id=100,
            microusd=2000,
        )  # fmt: skip
    return version


async def open_template(harness: Harness) -> RecordedCall:
    harness.send("/prompts")
    listing = await harness.said("Prompt templates")
    assert "10 of 14 kept: <b>71%</b>" in listing.params["text"]  # both variants together
    harness.tap(harness.message_id_of(listing), buttons(listing)[TEMPLATE])
    return await harness.said("(current)")


async def test_a_template_shows_each_variant_with_its_range_and_costs(harness: Harness) -> None:
    await seed(harness)
    card = await open_template(harness)
    text = card.params["text"]
    concise = text.split("<b>concise</b>")[1].split("<b>story</b>")[0]
    assert "50 % of traffic" in concise
    assert "3 of 4 kept: <b>75%</b> (30%–95%)" in concise  # the range says "unsure"
    assert "✅ 2 as-is · ✏️ 1 edited · 🔄 0 regenerated · 🗑 1 rejected" in concise
    assert "$0.0010 per item · $0.0013 per kept item" in concise  # 4 items, 3 kept
    assert "decided in 60 s on average" in concise
    story = text.split("<b>story</b>")[1]
    assert "7 of 10 kept: <b>70%</b> (40%–89%)" in story
    assert "$0.0029 per kept item" in story  # $0.02 over 7 kept
    assert {"⭐ Promote concise", "⭐ Promote story", "◀ All templates"} <= set(buttons(card))


async def test_promote_asks_then_writes_a_version_the_bot_renders_and_sends_the_yaml(
    harness: Harness,
) -> None:
    version = await seed(harness)
    card = await open_template(harness)
    harness.tap(harness.message_id_of(card), buttons(card)["⭐ Promote story"])
    question = await harness.said("Promote <b>story</b>")
    harness.tap(harness.message_id_of(question), buttons(question)["⭐ Yes, promote"])
    await harness.said("is now the text of <b>suggest_post</b>")
    document = await harness.api.wait_for("sendDocument", timeout=10)
    sent = document.files["document"]
    assert sent.filename == f"{TEMPLATE}.yaml"
    promoted = PromptTemplate.parse("sent", sent.data.decode(), expected_name=TEMPLATE)
    assert [(v.name, v.weight) for v in promoted.variants] == [("story", 100)]
    assert promoted.spec.params.temperature == 0.9  # the variant's params became the base

    registry = harness.bot.services.prompts
    assert registry.version(TEMPLATE) == version + 1
    request = registry.render(TEMPLATE, _variables(), variant_key="suggestion:1")
    assert request.prompt is not None and request.prompt.variant == "story"
    assert request.prompt.version == version + 1
    # A second tap on the old card (a double tap, or a copy another admin saw) is for the
    # old version: refused, and nothing is promoted twice.
    harness.tap(harness.message_id_of(question), buttons(question)["⭐ Yes, promote"], stale=True)
    answer = await harness.api.wait_for("answerCallbackQuery", _changed, timeout=10)
    assert f"version {version + 1} now" in answer.params["text"]
    assert registry.version(TEMPLATE) == version + 1


def _changed(call: RecordedCall) -> bool:
    return "changed since this card" in str(call.params.get("text", ""))


def _variables() -> dict[str, object]:
    return dict(SAMPLE_VARIABLES[TEMPLATE])

"""/brand end to end through the Bot API double: create by conversation, switch, edit,
upload a file, download it again."""

from __future__ import annotations

import json

from core.brands import BrandView
from core.brands.guidelines import BrandGuidelines
from storage.models import Brand, ConversationState
from tests.e2e.campaign_support import buttons, count_rows, make_persona, send_document
from tests.e2e.harness import Harness

BRAND_YAML = b"""
brand_name: Bolt Bikes
voice: Straight talk from people who ride
values: [durable, repairable]
colors: ["#FF6600"]
prohibited_words: [cheap]
required_disclaimers: ["Always wear a helmet."]
hashtag_max: 3
"""


async def _tap(harness: Harness, text: str, label: str) -> None:
    message = await harness.said(text)
    harness.tap(harness.message_id_of(message), buttons(message)[label])


async def _only_brand(harness: Harness) -> BrandView:
    brands = await harness.bot.services.brands.list()
    assert len(brands) == 1, brands
    return brands[0]


async def test_create_a_brand_field_by_field(harness: Harness) -> None:
    persona = await make_persona(harness)
    harness.send("/brand")
    await _tap(harness, "No brand yet", "➕ New brand")
    await _tap(harness, "Which persona is the new brand for", "🎭 Acme Candles")
    await harness.said("New brand for <b>Acme Candles</b> ✓")
    await harness.said("New brand · step 1 of 14")
    harness.send("Acme Candles")
    await harness.said("How does the brand sound")
    harness.send("A friendly expert who never pushes")
    await _tap(harness, "Which tone", "⏭ Skip")
    await harness.said("Tone: <i>skipped</i> ✓")
    await harness.said("What does the brand stand for")
    harness.send("handmade, honest")
    await harness.said("Which colours")
    harness.send("blue")
    await harness.said("colors must be hex codes like #1A2B3C, not: blue")  # asked again
    harness.send("#1a2b3c #fff")
    await harness.said("Which keywords")
    harness.send("soy wax\nhand-poured")
    await _tap(harness, "Which topics must drafts avoid", "⏭ Skip")
    await harness.said("Which words must never appear")
    harness.send("cheap, miracle")
    await _tap(harness, "Which disclaimers", "⏭ Skip")
    await harness.said("Which sites may drafts link to")
    harness.send("https://www.acme.shop/candles")
    await harness.said("Any length limits")
    harness.send("instagram: lots")
    await harness.said("&#x27;instagram: lots&#x27;: write it as channel: number")
    harness.send("instagram: 1500")
    await harness.said("How many hashtags per draft")
    harness.send("9-2")
    await harness.said("hashtag_min must not be more than hashtag_max")
    harness.send("1-5")
    await _tap(harness, "Anything else the reviewers should know", "💾 Save now")
    await harness.said("Brand <b>Acme Candles</b> created. It is the <b>default brand</b>.")
    card = (await harness.said("<b>🏷 Acme Candles</b> (brand_id 1)")).params["text"]
    assert "For: persona Acme Candles · ⭐ default brand" in card
    assert "Review crew: <b>on</b> · the rewrite is offered under 70/100" in card

    stored = await harness.bot.services.brands.for_persona(persona.id)
    assert stored == BrandGuidelines(
        brand_name="Acme Candles", voice="A friendly expert who never pushes",
        values=["handmade", "honest"], colors=["#1A2B3C", "#FFF"],
        keywords=["soy wax", "hand-poured"], prohibited_words=["cheap", "miracle"],
        link_allowlist=["acme.shop"], channel_limits={"instagram": 1500},
        hashtag_min=1, hashtag_max=5,
    )  # fmt: skip
    assert await count_rows(harness, ConversationState) == 0

    harness.send("/brand")  # the persona has its brand now: it is not offered again
    listing = await harness.said("🏷 Brands")
    assert "<b>Acme Candles</b> — persona Acme Candles ⭐ default" in listing.params["text"]
    harness.tap(harness.message_id_of(listing), buttons(listing)["➕ New brand"])
    chooser = await harness.said("Which persona is the new brand for")
    assert list(buttons(chooser)) == ["No persona: a brand of its own"]


async def test_card_buttons_switch_the_crew_threshold_and_default(harness: Harness) -> None:
    brands = harness.bot.services.brands
    first = await brands.save(BrandGuidelines(brand_name="House style"))
    await brands.save(BrandGuidelines(brand_name="Bolt Bikes"))
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "🏷 Bolt Bikes")
    card = await harness.said("<b>🏷 Bolt Bikes</b>")
    card_id, crew_off = harness.message_id_of(card), buttons(card)["🧪 Crew off"]

    harness.tap(card_id, crew_off)
    await harness.said("Review crew: <b>off</b>")  # the card is redrawn in place
    harness.tap(card_id, crew_off, stale=True)  # a double tap sets "off" again
    await harness.api.wait_for("answerCallbackQuery", lambda c: "crew off" in str(c.params))
    bolt = (await brands.list())[1]
    assert bolt.name == "Bolt Bikes" and not bolt.guidelines.crew_enabled

    harness.tap(card_id, buttons(card)["⭐ Make default"])
    await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "default brand now" in str(c.params)
    )
    assert (await brands.get(bolt.brand_id)).is_default
    assert not (await brands.get(first.brand_id)).is_default

    harness.tap(card_id, buttons(card)["🎯 Threshold"])
    await harness.said("Rewrite threshold of Bolt Bikes")
    harness.send("a lot")
    await harness.said("quality_threshold: send a whole number from 0 to 100")
    harness.send("101")
    await harness.said("quality_threshold: must be at most 100")
    harness.send("85")
    await harness.said("Rewrite threshold of <b>Bolt Bikes</b> updated")
    assert (await brands.get(bolt.brand_id)).guidelines.quality_threshold == 85


async def test_edit_a_field_and_download_the_brand(harness: Harness) -> None:
    brands = harness.bot.services.brands
    view = await brands.save(BrandGuidelines(brand_name="Acme", channel_limits={"sms": 300}))
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "🏷 Acme")
    card = await harness.said("<b>🏷 Acme</b>")
    harness.tap(harness.message_id_of(card), buttons(card)["✏️ Edit"])
    await _tap(harness, "Which field should change", "Length limits")
    await harness.said("Now: sms 300")
    harness.send("instagram: 1500")
    await harness.said("Length limits of <b>Acme</b> updated")
    limits = (await brands.get(view.brand_id)).guidelines.channel_limits
    assert limits == {"sms": 300, "instagram": 1500}  # new limits join the old ones

    harness.tap(harness.message_id_of(card), buttons(card)["⬇️ Download JSON"])
    sent = await harness.api.wait_for("sendDocument")
    document = json.loads(sent.files["document"].data)
    assert document["brand_name"] == "Acme"
    assert document["channel_limits"] == {"sms": 300, "instagram": 1500}
    assert "Acme" in str(sent.params["caption"])


async def test_upload_a_brand_file(harness: Harness) -> None:
    harness.send("/brand")
    await _tap(harness, "No brand yet", "📄 Upload a file")
    await _tap(harness, "Which persona is the file for", "No persona: a brand of its own")
    await harness.said("Send me a <b>.yaml</b>")
    harness.send("here it comes")
    await harness.said("waiting for the brand as a file")
    send_document(harness, "bolt.yaml", b"brand_name: Bolt\ncolors: [orange]\nhashtag_max: 99")
    problems = (await harness.said("I couldn't read bolt.yaml")).params["text"]
    assert "orange" in problems and "hashtag_max" in problems
    assert await count_rows(harness, Brand) == 0
    send_document(harness, "bolt.yaml", BRAND_YAML)  # the fixed file: still waited for
    await harness.said("Brand <b>Bolt Bikes</b> imported. It is the <b>default brand</b>.")
    card = (await harness.said("<b>🏷 Bolt Bikes</b>")).params["text"]
    assert "Disclaimer: Always wear a helmet." in card
    assert "Hashtags: 0–3 per draft" in card
    brand = await _only_brand(harness)
    assert brand.persona_id is None and brand.guidelines.prohibited_words == ["cheap"]
    assert await count_rows(harness, ConversationState) == 0


async def test_a_double_tap_on_the_persona_starts_once(harness: Harness) -> None:
    harness.send("/brand")
    await _tap(harness, "No brand yet", "➕ New brand")
    chooser = await harness.said("Which persona is the new brand for")
    own = buttons(chooser)["No persona: a brand of its own"]
    harness.tap(harness.message_id_of(chooser), own)
    await harness.said("step 1 of 14")
    harness.tap(harness.message_id_of(chooser), own, stale=True)
    await harness.api.wait_for("answerCallbackQuery", lambda c: "Already started" in str(c.params))
    harness.send("Acme")
    await harness.said("How does the brand sound")
    questions = [c for c in harness.api.calls_to("sendMessage") if "step 1 of 14" in str(c.params)]
    assert len(questions) == 1


async def test_buttons_of_a_finished_conversation_are_stale(harness: Harness) -> None:
    harness.send("/brand")
    await _tap(harness, "No brand yet", "➕ New brand")
    await _tap(harness, "Which persona is the new brand for", "No persona: a brand of its own")
    harness.send("Acme")
    question = await harness.said("How does the brand sound")
    harness.send("/cancel")
    await harness.said("Cancelled")
    harness.tap(harness.message_id_of(question), buttons(question)["💾 Save now"])
    await harness.api.wait_for("answerCallbackQuery", lambda c: "step is over" in str(c.params))
    assert await count_rows(harness, Brand) == 0


async def test_the_longest_brand_and_list_fit_telegram(harness: Harness) -> None:
    """Every field at its limit, with characters HTML must escape: the double checks the
    4096-character limit and the markup of what the bot sends."""
    brands = harness.bot.services.brands
    long = "<&> " * 50  # 200 characters, each escaped
    biggest = BrandGuidelines(
        brand_name="A&B " * 25, voice=long * 5, tone=long * 5, values=[long] * 50,
        keywords=[long] * 100, prohibited_topics=[long] * 100, prohibited_words=[long] * 200,
        required_disclaimers=[long + long] * 20, notes=long * 20,
        link_allowlist=[f"s{n}.example.com" for n in range(100)],
    )  # fmt: skip
    view = await brands.save(biggest)
    for n in range(40):
        await brands.save(BrandGuidelines(brand_name=f"{n:02d} " + "Ü&" * 48))
    harness.send("/brand")
    listing = await harness.said("🏷 Brands")
    assert "… and 16 more." in listing.params["text"]
    harness.tap(harness.message_id_of(listing), buttons(listing)["🏷 " + view.name[:39] + "…"])
    card = (await harness.said(f"(brand_id {view.brand_id})")).params["text"]
    assert len(card) <= 4096 and card.endswith("…")
    assert "Review crew: <b>on</b>" in card  # the crew line comes before anything cut


async def test_a_brand_of_its_own_may_not_take_anothers_name(harness: Harness) -> None:
    await harness.bot.services.brands.save(BrandGuidelines(brand_name="Acme", tone="warm"))
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "➕ New brand")
    await _tap(harness, "Which persona is the new brand for", "No persona: a brand of its own")
    harness.send("ACME")
    await harness.said("A brand without persona named <b>ACME</b> exists already")
    harness.send("Bolt")
    await harness.said("How does the brand sound")
    assert (await _only_brand(harness)).guidelines.tone == "warm"  # nothing replaced


async def test_a_downloaded_brand_sent_back_replaces_the_personas_brand(harness: Harness) -> None:
    persona = await make_persona(harness)
    brands = harness.bot.services.brands
    view = await brands.save(BrandGuidelines(brand_name="Acme", tone="warm"), persona_id=persona.id)
    await brands.set_crew(view.brand_id, False, actor="user:1")
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "🏷 Acme")
    card = await harness.said("<b>🏷 Acme</b>")
    harness.tap(harness.message_id_of(card), buttons(card)["⬇️ Download JSON"])
    document = json.loads((await harness.api.wait_for("sendDocument")).files["document"].data)

    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "📄 Upload a file")
    await _tap(harness, "Which persona is the file for", "🎭 Acme Candles (replaces its brand)")
    edited = {**document, "tone": "bold", "keywords": ["soy wax"]}
    send_document(harness, "brand-1.json", json.dumps(edited).encode())
    await harness.said("Brand <b>Acme</b> replaced from the file. It is the <b>default brand</b>.")
    stored = await brands.get(view.brand_id)
    assert (stored.guidelines.tone, stored.guidelines.keywords) == ("bold", ["soy wax"])
    assert stored.guidelines.crew_enabled is False  # the file said so: it was downloaded off
    assert len(await brands.list()) == 1


async def test_delete_a_brand_after_a_question_on_its_card(harness: Harness) -> None:
    brands = harness.bot.services.brands
    await brands.save(BrandGuidelines(brand_name="House style"))
    await brands.save(BrandGuidelines(brand_name="Bolt Bikes"))
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "🏷 Bolt Bikes")
    card = await harness.said("<b>🏷 Bolt Bikes</b>")
    card_id = harness.message_id_of(card)

    harness.tap(card_id, buttons(card)["🗑 Delete"])
    question = await harness.said("Delete the brand <b>Bolt Bikes</b>?", on=card_id)
    assert "/write can no longer pick it" in question.params["text"]  # a brand of its own
    harness.tap(card_id, buttons(question)["✖ Keep it"])
    await harness.said("<b>🏷 Bolt Bikes</b>", on=card_id)  # the card again, nothing deleted
    assert len(await brands.list()) == 2

    harness.tap(card_id, buttons(card)["🗑 Delete"])
    question = await harness.said("Delete the brand <b>Bolt Bikes</b>?", on=card_id)
    harness.tap(card_id, buttons(question)["🗑 Yes, delete it"])
    done = await harness.said("Brand <b>Bolt Bikes</b> deleted", on=card_id)
    assert "reply_markup" not in done.params
    assert [view.name for view in await brands.list()] == ["House style"]

    harness.tap(card_id, buttons(question)["🗑 Yes, delete it"], stale=True)  # a double tap
    refused = await harness.api.wait_for(
        "answerCallbackQuery", lambda c: "no longer exists" in str(c.params.get("text"))
    )
    assert refused.params["show_alert"] is True
    harness.tap(card_id, buttons(card)["✏️ Edit"], stale=True)  # the old card's buttons too
    await harness.api.wait_for(
        "answerCallbackQuery",
        lambda c: c is not refused and "no longer exists" in str(c.params.get("text")),
    )
    assert [view.name for view in await brands.list()] == ["House style"]


async def test_deleting_the_default_brand_says_what_follows(harness: Harness) -> None:
    await harness.bot.services.brands.save(BrandGuidelines(brand_name="House style"))
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "🏷 House style")
    card = await harness.said("<b>🏷 House style</b>")
    harness.tap(harness.message_id_of(card), buttons(card)["🗑 Delete"])
    question = await harness.said("Delete the brand <b>House style</b>?")
    assert "until you ⭐ make another the default" in question.params["text"]


async def test_deleting_a_personas_brand_says_the_default_takes_over(harness: Harness) -> None:
    persona = await make_persona(harness)
    brands = harness.bot.services.brands
    await brands.save(BrandGuidelines(brand_name="House style"))
    await brands.save(BrandGuidelines(brand_name="Candle voice"), persona_id=persona.id)
    harness.send("/brand")
    await _tap(harness, "🏷 Brands", "🏷 Candle voice")
    card = await harness.said("<b>🏷 Candle voice</b>")
    harness.tap(harness.message_id_of(card), buttons(card)["🗑 Delete"])
    question = await harness.said("Delete the brand <b>Candle voice</b>?")
    assert (
        "New drafts for persona Acme Candles will be judged by the default brand"
        in (question.params["text"])
    )
    harness.tap(harness.message_id_of(card), buttons(question)["🗑 Yes, delete it"])
    await harness.said("Brand <b>Candle voice</b> deleted")
    assert await brands.for_persona(persona.id) == BrandGuidelines(brand_name="House style")

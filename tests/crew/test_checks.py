"""The deterministic checks: each rule, what passes it, and what is blocking."""

from __future__ import annotations

import pytest

from core.brands.guidelines import BrandGuidelines
from core.crew.checks import findings_for, readability_score, run_checks
from core.crew.types import Draft
from domain.crew import ItemKind

BRAND = BrandGuidelines(
    brand_name="Cozy Knits",
    prohibited_words=["cheap", "best ever"],
    prohibited_topics=["politics"],
    required_disclaimers=["Prices include VAT."],
    link_allowlist=["https://cozyknits.example/shop"],
    channel_limits={"telegram": 120},
    hashtag_min=2,
    hashtag_max=4,
)
CLEAN = "Our merino socks are back. Prices include VAT. See cozyknits.example for sizes."


def draft(text: str = CLEAN, **fields: object) -> Draft:
    values: dict[str, object] = {"hashtags": ["#merino", "#socks"], **fields}
    return Draft(kind=ItemKind.POST, item_id=1, text=text, **values)


def checks_of(item: Draft, brand: BrandGuidelines = BRAND) -> list[tuple[str, bool]]:
    return [(finding.check, finding.blocking) for finding in findings_for(item, brand)]


def test_a_clean_draft_passes_every_check() -> None:
    assert findings_for(draft(), BRAND) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("So CHEAP, come by! Prices include VAT.", True),
        ("The best   ever socks. Prices include VAT.", True),  # any spacing, any case
        ("Cheapest in town. Prices include VAT.", False),  # whole words only
        ("Not cheap-looking at all. Prices include VAT.", True),  # a hyphen ends a word
    ],
)
def test_prohibited_words_are_found_as_whole_words(text: str, flagged: bool) -> None:
    found = [check for check, _ in checks_of(draft(text))]
    assert ("prohibited_word" in found) is flagged


def test_a_prohibited_word_in_the_title_or_hashtags_counts_and_blocks() -> None:
    findings = findings_for(draft(title="Cheap socks", hashtags=["#cheap", "#x"]), BRAND)
    words = [f for f in findings if f.check == "prohibited_word"]
    assert len(words) == 1 and words[0].blocking
    assert words[0].message == "Uses the prohibited word “cheap”: remove or replace it."


def test_a_named_prohibited_topic_blocks() -> None:
    assert checks_of(draft("No Politics here. Prices include VAT.")) == [("prohibited_topic", True)]


def test_a_disclaimer_must_be_there_word_for_word_but_any_case_and_spacing() -> None:
    assert checks_of(draft("Socks! prices  include\nVAT.")) == []
    findings = findings_for(draft("Socks are back."), BRAND)
    assert [(f.check, f.blocking) for f in findings] == [("disclaimer", True)]
    assert "add “Prices include VAT.”" in findings[0].message


def test_length_counts_the_hashtags_and_uses_the_brands_limit_for_the_channel() -> None:
    text = "Prices include VAT. " + "x" * 88  # 108 characters, + 2 + 14 for the hashtags
    findings = findings_for(draft(text), BRAND)
    assert [(f.check, f.blocking) for f in findings] == [("length", False)]
    assert findings[0].message == "124 characters with its hashtags; telegram allows 120: cut 4."
    # Another channel keeps its default limit.
    assert checks_of(draft(text, channel="instagram")) == []


@pytest.mark.parametrize(
    ("tags", "flagged"),
    [([], True), (["#a"], True), (["#a", "#b"], False), (["#a", "#b", "#c", "#d", "#e"], True)],
)
def test_hashtag_count_must_be_in_the_brands_range(tags: list[str], flagged: bool) -> None:
    found = checks_of(draft(hashtags=tags))
    assert (("hashtags", False) in found) is flagged


def test_hashtag_message_says_what_the_brand_wants() -> None:
    (finding,) = findings_for(draft(hashtags=[]), BRAND)
    assert finding.message == "0 hashtags; the brand wants 2 to 4."
    exact = BRAND.model_copy(update={"hashtag_min": 3, "hashtag_max": 3})
    (finding,) = findings_for(draft(hashtags=["#a"]), exact)
    assert finding.message == "1 hashtag; the brand wants exactly 3."


def test_emails_are_not_counted_for_hashtags() -> None:
    assert checks_of(draft(hashtags=[], channel="email")) == []


def test_text_messages_are_not_counted_for_hashtags() -> None:
    assert checks_of(draft(hashtags=[], channel="sms")) == []


def test_each_of_several_messages_has_the_channels_limit_not_their_sum() -> None:
    """An SMS flow: every text is sent (and paid for) on its own."""
    sms = BRAND.model_copy(update={"channel_limits": {"sms": 40}})
    parts = ["Prices include VAT.", "x" * 45, "See you soon."]
    text = "\n\n".join(parts)  # 80 characters in all: over 40, yet only one is too long
    findings = findings_for(draft(text, hashtags=[], channel="sms", parts=parts), sms)
    assert [(f.check, f.message) for f in findings] == [
        ("length", "Message 2 has 45 characters; sms allows 40: cut 5.")
    ]
    under = ["Prices include VAT.", "x" * 40]
    fits = draft("\n\n".join(under), hashtags=[], channel="sms", parts=under)
    assert findings_for(fits, sms) == []


@pytest.mark.parametrize(
    ("link", "allowed"),
    [
        ("https://cozyknits.example/socks", True),
        ("http://shop.cozyknits.example/a?b=c", True),  # a subdomain of an allowed host
        ("www.cozyknits.example.", True),  # the sentence's full stop is not the host's
        ("https://COZYKNITS.example:8443/x", True),
        ("https://evil.example/cozyknits.example", False),
        ("https://cozyknits.example.evil.example/", False),
        ("www.other.example", False),
    ],
)
def test_links_are_checked_against_the_allowlist(link: str, allowed: bool) -> None:
    found = checks_of(draft(f"Prices include VAT. Order: {link}"))
    assert (("link", True) not in found) is allowed


def test_each_off_list_link_is_named_once() -> None:
    text = "Prices include VAT. https://a.example/x, https://a.example/x and https://b.example."
    messages = [f.message for f in findings_for(draft(text), BRAND) if f.check == "link"]
    assert messages == [
        "Links to https://a.example/x, which is not on the brand's allowlist.",
        "Links to https://b.example, which is not on the brand's allowlist.",
    ]


def test_without_an_allowlist_links_are_not_checked() -> None:
    brand = BRAND.model_copy(update={"link_allowlist": []})
    assert checks_of(draft("Prices include VAT. https://anything.example"), brand) == []


def test_readability_scores_plain_text_above_dense_text() -> None:
    plain = readability_score("Our socks are warm. They are soft. Come and try them on.")
    dense = readability_score(
        "Notwithstanding considerable environmental variability, our meticulously engineered "
        "thermoregulating merino constructions demonstrate extraordinary longitudinal durability."
    )
    assert plain is not None and dense is not None
    assert 0 <= dense < 40 < 80 <= plain <= 100


def test_readability_is_none_without_words() -> None:
    assert readability_score("  ✨ 🧦 ") is None


async def test_run_checks_returns_findings_and_readability() -> None:
    result = await run_checks(draft("So cheap! Come by."), BRAND)
    assert [f.check for f in result.blocking] == ["prohibited_word", "disclaimer"]
    assert result.readability is not None and result.readability > 50

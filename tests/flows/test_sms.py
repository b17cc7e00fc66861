"""SMS arithmetic on known strings: encodings, segment boundaries, placeholders, links."""

from __future__ import annotations

import pytest

from core.flows.sms import (
    count_text,
    encoding_of,
    has_opt_out,
    link_allowed,
    links_in,
    normalize_placeholder,
    placeholder_issues,
    render,
    segment_count,
)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("Hello", "GSM-7", 5, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        # The extension table counts double: 80 euro signs fill one SMS, 81 need two.
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("[" + "a" * 158, "GSM-7", 160, 1),
        # Accented letters of the basic table stay GSM-7.
        ("Café für Ñandú à Besançon? Ça va: ü ö ä é è ù ì ò", "UCS-2", 49, 1),
        ("Café à Besançon", "UCS-2", 15, 1),
        ("Cafè à Besançon", "UCS-2", 15, 1),
        ("é" * 160, "GSM-7", 160, 1),
        ("ж" * 70, "UCS-2", 70, 1),
        ("ж" * 71, "UCS-2", 71, 2),
        ("ж" * 134, "UCS-2", 134, 2),
        ("ж" * 135, "UCS-2", 135, 3),
        # An emoji is a surrogate pair: two UTF-16 units.
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 36, "UCS-2", 72, 2),
        # A curly quote alone turns the whole message into UCS-2.
        ("It’s " + "a" * 60, "UCS-2", 65, 1),
    ],
)
def test_known_strings(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_text(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_basic_table_accents_are_gsm7() -> None:
    # "ç" is not in GSM-7 (only "Ç" is), so the mixed line above is UCS-2; these are GSM-7.
    assert encoding_of("é è ù ì ò Ç Ø ø Å å Ä Ö Ñ Ü ä ö ñ ü à ß") == "GSM-7"
    assert encoding_of("ç") == "UCS-2"


def test_escape_pair_is_never_split_across_segments() -> None:
    # 152 letters then "€": the pair would straddle the first 153-septet segment, so it
    # moves whole to the second; 152 + 2 + 153 letters = 307 septets still in 3 segments.
    text = "a" * 152 + "€" + "a" * 153
    assert count_text(text).units == 307
    assert count_text(text).segments == 3
    assert count_text("a" * 151 + "€" + "a" * 153).segments == 2


def test_surrogate_pair_is_never_split_across_segments() -> None:
    text = "ж" * 66 + "😀" + "ж" * 66
    assert count_text(text).units == 134
    assert count_text(text).segments == 3


def test_placeholders_count_as_their_sample_values() -> None:
    assert render("Hi {{first_name}}!") == "Hi Alexandra!"
    assert render("Hi {{first_name}}!", {"first_name": "Jo"}) == "Hi Jo!"
    assert segment_count("{{first_name}}" + "a" * 151).segments == 1
    assert segment_count("{{first_name}}" + "a" * 152).segments == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Hi {{first_name}}, code {{discount_code}}", []),
        ("Hi {{nickname}}", ["uses the unknown placeholder {{nickname}}"]),
        (
            "Hi {first_name}",
            ["has '{first_name}', which is not a placeholder: write {{first_name}}"],
        ),
        (
            "Hi {{ First_Name }}",
            ["has '{{ First_Name }}', which is not a placeholder: write {{first_name}}"],
        ),
        (
            "Hi {{firstName}}",
            ["has '{{firstName}}', which is not a placeholder: write {{first_name}}"],
        ),
        (
            "Hi [first_name]",
            ["has '[first_name]', which is not a placeholder: write {{first_name}}"],
        ),
        (
            "Hi {{first_name",
            ["has '{{first_name', which is not a placeholder: write {{first_name}}"],
        ),
        ("[Limited offer] today only", []),
    ],
)
def test_placeholder_issues(content: str, expected: list[str]) -> None:
    issues = placeholder_issues(content)
    assert len(issues) == len(expected)
    for issue, start in zip(issues, expected, strict=True):
        assert issue.startswith(start)


def test_normalize_placeholder() -> None:
    assert normalize_placeholder("{ First Name }") == "first_name"
    assert normalize_placeholder("%cartUrl%") == "cart_url"
    assert normalize_placeholder("{{coupon_code}}") == "discount_code"
    assert normalize_placeholder("{{favourite_colour}}") is None


@pytest.mark.parametrize(
    ("content", "has"),
    [
        ("Reply STOP to opt out.", True),
        ("Text stop to unsubscribe", True),
        ("STOP2END? No: Txt STOP to end", True),
        ("Opt-out anytime", True),
        ("Don't stop shopping!", False),
        ("Nonstop deals", False),
    ],
)
def test_opt_out_wording(content: str, has: bool) -> None:
    assert has_opt_out(content) is has


def test_links_and_allowlist() -> None:
    content = "See https://shop.example.com/sale, www.evil.io or bit.ly/x; cart {{cart_url}}."
    assert links_in(content) == ["https://shop.example.com/sale", "www.evil.io", "bit.ly/x"]
    allow = ("example.com",)
    assert link_allowed("https://shop.example.com/sale", allow)
    assert not link_allowed("www.evil.io", allow)
    assert not link_allowed("https://example.com.evil.io/", allow)

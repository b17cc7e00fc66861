"""Recipients from a CSV or a pasted list: consent per row, refusals with line numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.sequences.recipients_import import (
    MAX_RECIPIENTS,
    confirmed,
    normalise,
    read_csv,
    read_pasted,
)

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_a_csv_with_a_consent_column_refuses_rows_without_consent_by_line() -> None:
    text = (
        "email,consent,consent_source\n"
        "Ann@Example.com,yes,shop checkout\n"
        "bob@example.com,no,\n"
        "cara@example.com,,\n"
        "not-an-address,yes,\n"
        "dan@example.com,2026-01-15,newsletter form\n"
        "eve@example.com,someday,\n"
    )
    read = read_csv(text, "list.csv", NOW)
    assert [(r.email, r.consent_source, r.consent_at) for r in read.recipients] == [
        ("ann@example.com", "shop checkout", None),
        ("dan@example.com", "newsletter form", datetime(2026, 1, 15, tzinfo=UTC)),
    ]
    assert read.problems == (
        "Line 3: bob@example.com has no consent (the consent column says “no”)",
        "Line 4: cara@example.com has no consent (the consent column says “”)",
        "Line 5: “not-an-address” is not an email address",
        "Line 7: eve@example.com: can't read the consent “someday” (yes, or a date)",
    )
    assert not read.needs_confirmation


def test_a_csv_without_header_reads_columns_by_position() -> None:
    read = read_csv("a@example.com,yes\nb@example.com,1,fair stand\n", "x.csv", NOW)
    assert [(r.email, r.consent_source) for r in read.recipients] == [
        ("a@example.com", "CSV x.csv line 1"),
        ("b@example.com", "fair stand"),
    ]
    assert read.problems == ()


def test_a_consent_date_in_the_future_is_refused() -> None:
    read = read_csv("email,consent\nz@example.com,2027-01-01\n", "x.csv", NOW)
    assert read.problems == ("Line 2: z@example.com: the consent date 2027-01-01 is in the future",)


def test_only_addresses_ask_the_admin_to_confirm_consent_for_all() -> None:
    read = read_csv("\ufeffemail\na@example.com\n\nA@example.com\n", "only.csv", NOW)
    assert read.needs_confirmation
    assert [r.email for r in read.recipients] == ["a@example.com"]
    assert read.notes == ("1 duplicate address dropped",)
    done = confirmed(read, "confirmed by admin 7")
    assert not done.needs_confirmation
    assert done.recipients[0].consent_source == "CSV only.csv line 2; confirmed by admin 7"


def test_a_pasted_list_splits_on_spaces_commas_and_lines() -> None:
    read = read_pasted("a@example.com, b@example.com;\n<c@example.com> nope", "pasted")
    assert [r.email for r in read.recipients] == ["a@example.com", "b@example.com", "c@example.com"]
    assert read.problems == ("“nope” is not an email address",)
    assert read.needs_confirmation


@pytest.mark.parametrize(
    "address", ["a b@example.com", "a@b", "x@example.com\r\nBcc: y@example.com", "@example.com"]
)
def test_what_is_not_an_address(address: str) -> None:
    assert normalise(address) is None


def test_more_than_the_limit_is_cut_and_said() -> None:
    text = "\n".join(f"p{n}@example.com,yes" for n in range(MAX_RECIPIENTS + 5))
    read = read_csv(text, "big.csv", NOW)
    assert len(read.recipients) == MAX_RECIPIENTS
    assert read.problems[-1].startswith(f"{MAX_RECIPIENTS + 5} addresses")

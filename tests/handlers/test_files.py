"""The shared sent-file rule: suffix, declared size and each feature's own words."""

from __future__ import annotations

import pytest
from telegram import Document

from handlers.common.files import FileRefused, FileRule
from handlers.email.command import EML_FILES
from handlers.orders.command import ORDERS_FILES

RULE = FileRule((".csv",), 2048, "{name} is not a CSV.", "{name}: {kib} KiB > {limit_kib} KiB")


def _doc(name: str | None, size: int | None = None) -> Document:
    return Document(file_id="f", file_unique_id="u", file_name=name, file_size=size)


def test_a_file_of_the_right_kind_and_size_passes() -> None:
    RULE.check(_doc("list.CSV", 2048))
    RULE.check(_doc("list.csv"))  # no declared size: checked after the download


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (_doc("<b>x</b>.pdf"), "&lt;b&gt;x&lt;/b&gt;.pdf is not a CSV."),
        (_doc(None), "This file is not a CSV."),
        (_doc("big.csv", 4096), "big.csv: 4 KiB > 2 KiB"),
        (_doc("a" * 200 + ".txt"), "a" * 100 + " is not a CSV."),
    ],
)
def test_refusals_are_escaped_html_in_the_features_words(document: Document, said: str) -> None:
    with pytest.raises(FileRefused) as refused:
        RULE.check(document)
    assert str(refused.value) == said


def test_the_downloaded_size_is_checked_when_none_was_declared() -> None:
    with pytest.raises(FileRefused, match="The file: 3 KiB"):
        RULE.check_size(_doc(None), 3 * 1024)


def test_email_and_orders_keep_their_texts() -> None:
    with pytest.raises(FileRefused) as email:
        EML_FILES.check(_doc("huge.eml", 11 * 1024 * 1024))
    assert str(email.value) == "⚠️ huge.eml is 11.0 MB; I read emails up to 10 MB."
    with pytest.raises(FileRefused) as orders:
        ORDERS_FILES.check(_doc("o.csv", 6 * 1024 * 1024))
    assert str(orders.value) == "⚠️ o.csv is 6144 KB; I import orders files up to 5 MB."

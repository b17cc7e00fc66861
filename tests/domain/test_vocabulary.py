"""The helpers the vocabulary gained when the copies in core/ became one."""

from __future__ import annotations

import re

import pytest

from domain.formats import FORMAT_ALIASES, FORMATS_IN_WORDS, POST_FORMATS
from domain.hashtags import strict_hashtags
from domain.statuses import ALLOWED, SCHEDULABLE, UNSCHEDULABLE, PostStatus


def test_strict_hashtags_normalise_and_drop_repeats_whatever_their_case() -> None:
    assert strict_hashtags(["cosy home", "#CosyHome", "#autumn_2026", "Autumn_2026"]) == [
        "#cosyhome",
        "#autumn_2026",
    ]


@pytest.mark.parametrize("raw", ["#123", "   ", "#!?"])
def test_strict_hashtags_refuse_a_tag_that_is_no_tag(raw: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"has {raw!r}, which is not a usable hashtag")):
        strict_hashtags(["#ok", raw])


def test_formats_in_words_and_aliases_name_only_known_formats() -> None:
    assert FORMATS_IN_WORDS == "image, carousel, reel, story, video or text"
    assert set(FORMAT_ALIASES.values()) <= set(POST_FORMATS)


def test_a_person_can_give_a_time_where_the_transitions_allow_it() -> None:
    # Scheduling moves a post to scheduled (or keeps it there with a new time).
    for status in SCHEDULABLE:
        assert status == PostStatus.SCHEDULED or PostStatus.SCHEDULED in ALLOWED[status]
    # Unscheduling puts it back to ready.
    for status in UNSCHEDULABLE:
        assert PostStatus.READY in ALLOWED[status]

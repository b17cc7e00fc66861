"""Pure pieces: splitting a post into Telegram messages, reading typed times, health."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from core.errors import ValidationFailed
from core.publishing.health import SweepHealth
from core.publishing.telegram_text import CAPTION_LIMIT, TEXT_LIMIT, telegram_parts, utf16_len
from domain.timegrammar import read_moment as parse_when

TAGS = ["#autumn", "#candles"]
SENTENCE = "Wax & wick <3 make a calm evening. "


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("photo", [True, False])
@pytest.mark.parametrize("paragraphs", [1, 3, 12, 40])
def test_parts_fit_keep_every_word_and_end_with_the_hashtags(photo: bool, paragraphs: int) -> None:
    caption = "\n\n".join(SENTENCE * 9 for _ in range(paragraphs)).strip()
    parts = telegram_parts(caption, TAGS, photo=photo)
    plain = [unescape(part) for part in parts]
    for index, text in enumerate(plain):
        limit = CAPTION_LIMIT if photo and index == 0 else TEXT_LIMIT
        assert utf16_len(text) <= limit
    assert _words(" ".join(plain)) == _words(caption) + TAGS
    assert plain[-1].endswith("#autumn #candles")


def test_a_cut_falls_at_a_paragraph_or_sentence_never_inside_an_entity() -> None:
    caption = "\n\n".join(SENTENCE * 9 for _ in range(6)).strip()
    parts = telegram_parts(caption, TAGS, photo=True)
    assert len(parts) == 2
    assert unescape(parts[0]).endswith("evening.")
    for part in parts:  # no dangling "&am" or "&lt" halves: every & starts a whole entity
        assert re.fullmatch(r"([^&]|&(amp|lt|gt|quot|#x27);)*", part, flags=re.S)


def test_a_short_post_is_one_message_with_its_hashtags() -> None:
    assert telegram_parts("Hello <world>", TAGS, photo=True) == [
        "Hello &lt;world&gt;\n\n#autumn #candles"
    ]


def test_emoji_count_double_as_telegram_counts_them() -> None:
    caption = "🎃" * 600  # 1200 UTF-16 units: over a caption, under a message
    parts = telegram_parts(caption, [], photo=True)
    assert [utf16_len(p) for p in parts] == [1024, 176]
    assert "".join(parts) == caption


def test_hashtags_that_do_not_fit_go_into_a_message_of_their_own() -> None:
    caption = "a" * 1020
    assert telegram_parts(caption, TAGS, photo=True) == [caption, "#autumn #candles"]


NOW = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # Saturday, 14:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:30", datetime(2026, 10, 24, 16, 30, tzinfo=UTC)),
        ("9am", datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),  # 09:00 passed today: tomorrow, CET
        ("tomorrow 9:30", datetime(2026, 10, 25, 8, 30, tzinfo=UTC)),
        ("Sat 10:00", datetime(2026, 10, 31, 9, 0, tzinfo=UTC)),  # today's passed: next week
        ("monday 07:15", datetime(2026, 10, 26, 6, 15, tzinfo=UTC)),
        ("25.10 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # doubled hour: the first
        ("2026-12-24 18:00", datetime(2026, 12, 24, 17, 0, tzinfo=UTC)),
        ("24.01 10:00", datetime(2027, 1, 24, 9, 0, tzinfo=UTC)),  # no year: the next one
        ("in 2h", NOW + timedelta(hours=2)),
        ("in 45 min", NOW + timedelta(minutes=45)),
        ("  TOMORROW   9:30 ", datetime(2026, 10, 25, 8, 30, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_the_zone_and_stored_in_utc(typed: str, expected: datetime) -> None:
    assert parse_when(typed, now=NOW, tz=BERLIN) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("next week", "couldn't read “next week”"),
        ("25.13 10:00", "couldn't read"),
        ("10", "couldn't read"),
        ("13pm", "couldn't read"),
        ("in 3 weeks", "couldn't read"),
        ("today 09:00", "has already passed"),
        ("28.03.2027 02:30", "does not exist on Sun 28 Mar in Europe/Berlin"),
        ("2030-01-01 10:00", "more than two years ahead"),
    ],
)
def test_bad_times_are_explained(typed: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        parse_when(typed, now=NOW, tz=BERLIN)


def _health() -> SweepHealth:
    return SweepHealth(
        started_at=NOW, stale_sweep=timedelta(seconds=30), stale_due=timedelta(seconds=60)
    )


def test_health_is_ok_after_a_recent_sweep() -> None:
    health = _health()
    health.swept(NOW)
    report = health.report(NOW + timedelta(seconds=10), 0, None)
    assert report.ok and report.details["last_sweep_at"] == NOW.isoformat()


def test_health_turns_red_when_sweeps_stop_or_due_posts_wait() -> None:
    health = _health()
    health.swept(NOW)
    stale = health.report(NOW + timedelta(seconds=31), 0, None)
    waiting = health.report(NOW + timedelta(seconds=5), 3, NOW - timedelta(seconds=61))
    assert not stale.ok and stale.details["problems"] == ["no sweep for 31 s"]
    assert not waiting.ok and waiting.details["due_unclaimed"] == 3

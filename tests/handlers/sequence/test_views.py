"""/sequence's texts, buttons and answers: escaped, within Telegram's limits, read strictly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.sequences.views import SequenceEmailView
from handlers.common.keyboards import MAX_CALLBACK_BYTES
from handlers.sequence import keyboards
from handlers.sequence.rewrite import read_edit
from handlers.sequence.steps import (
    DAYS,
    MONTHS,
    NAME,
    PER_WEEK,
    RECIPIENTS,
    SCHEDULE,
    StepInputError,
    days_problem,
    next_state,
    read_answer,
    toggle_day,
)
from handlers.sequence.views import email_card, held_alert, summary

TZ = ZoneInfo("Europe/Berlin")
AT = datetime(2030, 3, 5, 8, 0, tzinfo=UTC)


def _email(**overrides: object) -> SequenceEmailView:
    values: dict[str, object] = {
        "id": 7, "sequence_id": 3, "sequence_name": "Tips <b>&</b> tricks", "number": 2,
        "due_at": AT, "structure": "story", "status": "pending", "revision": 4,
        "subject": "Wax & wicks <3", "body_text": "Hello <friend> & co.", "body_html": None,
        "key_points": (), "error": None, "approved_at": None, "seen_at": None, "held_at": None,
    }  # fmt: skip
    return SequenceEmailView(**{**values, **overrides})  # type: ignore[arg-type]


def test_the_card_escapes_what_the_model_and_the_user_wrote() -> None:
    card = email_card(_email(), TZ)
    assert "Tips &lt;b&gt;&amp;&lt;/b&gt; tricks · email #2" in card
    assert "<b>Subject:</b> Wax &amp; wicks &lt;3" in card
    assert "Hello &lt;friend&gt; &amp; co." in card
    assert "Tue 05 Mar 2030, 09:00 (Europe/Berlin)" in card


def test_a_long_body_is_cut_to_a_preview_and_the_card_fits_telegram() -> None:
    card = email_card(_email(body_text="<&>" * 5000, sequence_name="n" * 200), TZ, "a note")
    assert len(card) <= 4096 and card.count("&lt;") <= 1500


def test_the_summary_lists_eight_times_then_the_last() -> None:
    sends = [AT + timedelta(days=n) for n in range(30)]
    data = {"name": "A & B", "description": "<x>", "recipients": [["a@example.com", "api"]]}
    text = summary(data, "1 email a day", sends, TZ)
    assert "<b>📋 A &amp; B</b>" in text and "&lt;x&gt;" in text
    assert "<b>30 emails</b>" in text and "8. Tue 12 Mar 2030, 09:00" in text
    assert "9. " not in text and "… 22 more, the last Wed 03 Apr 2030, 10:00" in text


def test_the_held_alert_names_the_email_and_its_time() -> None:
    text = held_alert(_email(status="held"), TZ)
    assert "Held, not sent:</b> Tips &lt;b&gt;" in text and "Tue 05 Mar 2030, 09:00" in text


def test_every_button_fits_in_64_bytes_with_the_largest_ids() -> None:
    big = 2**31 - 1
    markups = [
        keyboards.email_keyboard(big, big), keyboards.held_keyboard(big, big),
        keyboards.summary_keyboard(big), keyboards.consent_keyboard(big),
        keyboards.detail_keyboard(big, paused=True, finished=False),
        keyboards.log_keyboard(big, big, has_next=True),
        keyboards.week_keyboard([(big, "x" * 100)], big),
        keyboards.days_keyboard([1, 3, 5], 4),
    ]  # fmt: skip
    for markup in markups:
        assert markup is not None
        for row in markup.inline_keyboard:
            for button in row:
                assert len(str(button.callback_data).encode()) <= MAX_CALLBACK_BYTES


@pytest.mark.parametrize(
    ("state", "text", "problem"),
    [
        (NAME, "   ", "Please send it as a text message."),
        (NAME, "x" * 201, "That is 201 characters; please keep it under 200."),
        (SCHEDULE, "monthly", "Tap 📅 Daily or 🗓 Weekly."),
        (PER_WEEK, "8", "8 won't do: send a number from 1 to 7."),
        (MONTHS, "two", "Send a number of months from 1 to 12."),
        (DAYS, "Mon", "Use the buttons above for this step."),
    ],
)
def test_a_bad_answer_says_what_to_send(state: str, text: str, problem: str) -> None:
    with pytest.raises(StepInputError, match=problem.replace("(", r"\(")):
        read_answer(state, text)


def test_a_daily_sequence_skips_the_weekly_questions() -> None:
    assert next_state(SCHEDULE, {"schedule_type": "daily"}) == MONTHS
    assert next_state(SCHEDULE, {"schedule_type": "weekly"}) == PER_WEEK
    assert next_state(PER_WEEK, {}) == DAYS and next_state(MONTHS, {}) == RECIPIENTS
    assert read_answer(SCHEDULE, "Daily") == {
        "schedule_type": "daily", "weekly_emails": None, "weekly_days": []
    }  # fmt: skip


def test_days_toggle_and_must_cover_the_emails_a_week() -> None:
    assert toggle_day([1, 5], 3) == [1, 3, 5] and toggle_day([1, 3, 5], 3) == [1, 5]
    assert toggle_day([], 9) == []
    assert days_problem([], 1) == "Pick at least one day."
    assert days_problem([1], 2) == "2 emails a week need at least 2 days; pick more."
    assert days_problem([1, 3, 5], 2) is None


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("Subject: New one\n\nBody here", {"subject": "New one", "body_text": "Body here"}),
        ("subject:  Only this", {"subject": "Only this", "body_text": None}),
        ("Just a new body\nover two lines", {"subject": None,
                                             "body_text": "Just a new body\nover two lines"}),
    ],
)  # fmt: skip
def test_an_edit_reads_an_optional_subject_line(text: str, change: dict[str, object]) -> None:
    assert read_edit(text) == change

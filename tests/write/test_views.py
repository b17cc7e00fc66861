"""How content reads: the Telegram card within 4096 characters whatever the model wrote,
and the files (.txt, .json, the .eml draft) whole."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from email import message_from_bytes
from email.policy import default

from core.content import exports
from core.content.views import ContentView
from core.crew.types import Brief
from domain.content import ContentStatus
from domain.crew import ContentType
from handlers.common.views import MAX_TEXT
from handlers.write.views import CUT, result_text
from tests.write.fakes import AT, report


def view(content: str = "Swap <plastic> & save.", **changes: object) -> ContentView:
    made = ContentView(
        id=3, public_id="cmp_abc", status=ContentStatus.COMPLETED,
        brief=Brief(campaign_brief="Create blog post about sustainable living",
                    target_audience="Young families", content_type=ContentType.BLOG_POST),
        brand_id=1, brand_name="Acme & Sons", title="Live <lighter>", content=content,
        hashtags=("#green",), report=report(), steps=(), error="", cost_microusd=500,
        post_id=None, retry_id=None, created_at=AT, completed_at=AT,
    )  # fmt: skip
    return replace(made, **changes)  # type: ignore[arg-type]


def test_the_card_escapes_what_the_model_wrote() -> None:
    text = result_text(view())
    assert "Swap &lt;plastic&gt; &amp; save." in text and "<b>Live &lt;lighter&gt;</b>" in text
    assert "· Acme &amp; Sons" in text and "Overall 81" in text


def test_a_long_blog_post_is_cut_on_screen_with_a_pointer_to_the_file() -> None:
    long = view("<b>" * 3000)  # every character escapes to more
    text = result_text(long)
    assert len(text) <= MAX_TEXT
    assert text.count(CUT) == 1 and "Overall 81" in text  # the verdict always shows
    # Cut between characters, never inside an entity such as "&lt;".
    assert re.search(r"&[a-z]*$", text.split(CUT)[0]) is None


def test_under_the_brands_bar_the_card_says_so() -> None:
    assert "Under this brand's bar of 90" in result_text(view(), threshold=90)
    assert "bar of" not in result_text(view(), threshold=70)


def test_a_failed_piece_says_why_and_whether_it_was_tried_again() -> None:
    failed = view("", status=ContentStatus.FAILED, error="Budget <spent>", report=None)
    text = result_text(failed)
    assert "⚠️ The crew couldn't write it: Budget &lt;spent&gt;" in text
    assert "Tap 🔁 Try again" in text
    assert "🔁 Tried again as #4." in result_text(replace(failed, retry_id=4))


def test_the_text_file_has_everything() -> None:
    plain = exports.as_text(view("A" * 9000))
    assert plain.startswith("Live <lighter>\n\n" + "A" * 9000 + "\n\n#green\n")
    assert "Brand 84 · Compliance 90 · Readability 72 · Overall 81" in plain
    assert "- Optimizer: stronger call to action" in plain


def test_the_json_file_is_the_rest_answer() -> None:
    data = json.loads(exports.as_json_bytes(view()))
    assert data == view().as_json()
    assert data["campaign_id"] == "cmp_abc" and data["timestamp"] == "2027-01-06T12:00:00Z"


def test_the_email_draft_is_an_unsent_message_without_recipients() -> None:
    mail = message_from_bytes(exports.email_draft(view(), sender=None), policy=default)
    assert (mail["Subject"], mail["X-Unsent"], mail["To"], mail["From"]) == (
        "Live <lighter>", "1", None, None,
    )  # fmt: skip
    # RFC 5322 lines end in CRLF, as mail apps expect in an .eml file.
    assert mail.get_content() == "Swap <plastic> & save.\r\n\r\n#green\r\n"


def test_without_a_title_the_subject_is_the_first_line_kept_short() -> None:
    first = "# " + "Green " * 40
    subject = exports.subject_of(view(first + "\nbody", title=""))
    assert subject.startswith("Green Green") and len(subject) == exports.MAX_SUBJECT
    assert exports.subject_of(view("", title="")) == "Blog post"

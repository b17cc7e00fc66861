"""How items are named and worded for memory, and how the earlier item is shown."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.memory.record import (
    SMS_ID_FACTOR,
    approval_event,
    post_item,
    reply_item,
    sequence_email_item,
    sms_items,
)
from core.memory.repeats import warning_line
from core.memory.types import Match, Remembered
from core.suggestions.context import about
from domain.memory import MemoryEvent, MemoryKind
from handlers.common.keyboards import CallbackKey
from handlers.common.repeats import KIND, with_button, with_warning
from handlers.memory.earlier import MAX_MESSAGE, earlier_html
from storage.repos.outcomes import APPROVED_AFTER_EDIT, APPROVED_AS_IS

BERLIN = ZoneInfo("Europe/Berlin")
# 23:30 UTC on 2 Oct is 3 Oct in Berlin: the card names the local day.
LATE = datetime(2026, 10, 2, 23, 30, tzinfo=UTC)


def test_labels_name_the_local_day_and_the_item() -> None:
    assert post_item(5, 2, "Caption", LATE, BERLIN).label == "the post of 3 Oct"
    reply = reply_item(9, "Ada Lovelace", "Dear Ada", LATE, BERLIN)
    assert (reply.kind, reply.label) == (MemoryKind.REPLY, "the reply to Ada Lovelace of 3 Oct")
    email = sequence_email_item(4, 2, "Daily tips", "Subject", "Body")
    assert (email.label, email.text) == ("sequence email #2 of Daily tips", "Subject\n\nBody")


def test_an_edit_before_approval_is_remembered_as_edited() -> None:
    assert approval_event(APPROVED_AFTER_EDIT) is MemoryEvent.EDITED
    assert approval_event(APPROVED_AS_IS) is MemoryEvent.APPROVED
    assert approval_event(None) is MemoryEvent.APPROVED  # an item no model wrote


def test_one_item_per_sms_text_with_stable_ids() -> None:
    wire = {
        "initialStepID": "a",
        "steps": [
            {"id": "a", "type": "message", "content": "Hi {{first_name}}! Reply STOP to opt out."},
            {"id": "b", "type": "delay", "events": []},
            {"id": "c", "type": "purchase_offer", "content": "10% off today"},
            {"id": "d", "type": "message", "content": "   "},
        ],
    }
    items = sms_items(12, 3, 7, wire)
    assert [(i.item_id, i.label, i.persona_id) for i in items] == [
        (12 * SMS_ID_FACTOR + 0, "SMS 1 of flow #12 (v3)", 7),
        (12 * SMS_ID_FACTOR + 2, "SMS 2 of flow #12 (v3)", 7),
    ]
    assert sms_items(1, 1, None, {"steps": "not a list"}) == []


def _match(text: str = "Earlier <b>words</b> & more") -> Match:
    at = datetime(2026, 10, 3, tzinfo=UTC)
    item = Remembered(
        MemoryKind.SEQUENCE_EMAIL, 41, None, text, "the post of 3 Oct", "approved", at, None
    )
    return Match(item, 0.8449)


def test_the_card_line_and_button() -> None:
    match = _match()
    assert warning_line(match) == "⚠️ 84 % similar to the post of 3 Oct"
    assert with_warning("", match) == "⚠️ 84 % similar to the post of 3 Oct"
    assert with_warning("<i>Edited</i>", None) == "<i>Edited</i>"
    markup = with_button(None, match)
    assert markup is None  # a card without buttons gets none
    base = InlineKeyboardMarkup([[InlineKeyboardButton("✅ Approve", callback_data="x")]])
    rows = with_button(base, match)
    assert rows is not None
    button = rows.inline_keyboard[-1][0]
    assert button.text == "👀 See earlier"
    data = str(button.callback_data)
    assert data == "mem:sequence_email:41:0" and len(data.encode()) <= 64
    assert CallbackKey.decode(data) == CallbackKey(KIND, "sequence_email", 41, 0)


def test_the_earlier_item_is_escaped_and_fits_one_message() -> None:
    html = earlier_html(_match().item)
    words = "Earlier &lt;b&gt;words&lt;/b&gt; &amp; more"
    assert html == f"<b>The post of 3 Oct</b> (approved)\n\n{words}"
    long = earlier_html(_match("<&>" * 3000).item)
    assert len(long) <= MAX_MESSAGE and long.endswith("…")
    assert long.count("&lt;&amp;&gt;") > 300 and long.rstrip("…").endswith(";")


def test_what_the_next_post_idea_is_about() -> None:
    variables: dict[str, object] = {
        "brand": "Warm, plain words",
        "recent_posts": [{"title": "Candles", "caption": "Back in stock"}, "not a post"],
        "queued_posts": [{"title": "Gift cards", "scheduled_at": "not scheduled"}],
    }
    assert about(variables) == "Warm, plain words\nCandles: Back in stock\nGift cards"
    rejected = {"title": "Sale", "what": "A sale post", "caption": "Everything -20 %"}
    assert about({**variables, "rejected": rejected}) == "Sale\nA sale post\nEverything -20 %"
    assert about({"brand": "", "recent_posts": [], "queued_posts": []}) == ""

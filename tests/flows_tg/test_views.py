"""/flow's messages: the card, the list and the walk's times, within Telegram's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from core.flows.simulate import Decision, Option, SimLine, Simulation
from domain.flow_status import FlowStatus
from handlers.flow import views
from handlers.flow.keyboards import card_keyboard
from handlers.flow.walk_views import walk, when
from tests.doubles.telegram_html import parse_html, utf16_len
from tests.flows_tg.sample import flow_view, summary

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_card_sums_the_flow_up() -> None:
    text = views.card(flow_view(corrections=("Added the end step 'end'.",)))
    lines = text.splitlines()
    assert lines[0] == "📱 <b>SMS flow #7</b> · version 1 · 📝 draft"
    assert lines[1] == "<i>Win back VIPs</i>"
    assert ("<b>6 steps:</b> 2 messages, 1 wait, 1 reply point, 1 purchase offer, 1 end"
            in lines)  # fmt: skip
    assert "✉️ 3 texts, 3 SMS segments if a customer gets them all." in lines
    assert lines[5].startswith("💬 First text: <i>Hi {{first_name}}! We miss you")
    assert "🔧 Fixed automatically: 1 · the model repaired it 1×" in lines
    assert "• Added the end step &#x27;end&#x27;." in lines
    assert lines[-1] == "🤖 gpt-4o-mini · 1,500 tokens · &lt;$0.01 · 3.5 s"
    parse_html(text)  # valid Telegram HTML, or it raises


def test_a_card_with_everything_long_still_fits_a_message() -> None:
    view = flow_view(3, status=FlowStatus.DRAFT, approved=1, description="<b>" * 2000,
                     corrections=tuple("x" * 500 for _ in range(40)))  # fmt: skip
    text = views.card(view, diagram_note="Graphviz is not installed here (…).", note="⚠️ Note")
    assert utf16_len(parse_html(text).text) <= 4096
    assert "✅ Version 1 is the approved one." in text
    assert "• … and 37 more (in the JSON)" in text
    assert "🖼 No diagram: Graphviz is not installed here (…)." in text


def test_a_decided_card_says_by_whom_and_when() -> None:
    at = datetime(2026, 12, 7, 13, 2, tzinfo=UTC)
    rejected = replace(flow_view(2, status=FlowStatus.REJECTED, approved=1), decided_by=1001,
                       decided_at=at)  # fmt: skip
    line = views.decided(rejected, "<Ann>", BERLIN)
    assert line == "🗑 Rejected by &lt;Ann&gt; · 7 Dec, 14:02"
    assert views.decided(rejected, None, BERLIN) == "🗑 Rejected by admin 1001 · 7 Dec, 14:02"
    approved = replace(rejected, status=FlowStatus.APPROVED)
    assert views.decided(approved, "Ann", BERLIN) == "✅ Approved by Ann · 7 Dec, 14:02"
    assert views.decided(flow_view(), "Ann", BERLIN) is None  # a draft: nobody decided yet
    lines = views.card(rejected, decided=line).splitlines()
    assert lines[:2] == ["📱 <b>SMS flow #7</b> · version 2 · 🗑 rejected", line]
    assert "✅ Version 1 is the approved one." in lines
    parse_html("\n".join(lines))


def test_only_a_draft_can_be_approved_or_rejected() -> None:
    def labels(markup: InlineKeyboardMarkup) -> list[list[str]]:
        return [[button.text for button in row] for row in markup.inline_keyboard]

    draft = card_keyboard(7, 2, draft=True, exported=None)
    assert labels(draft) == [["✅ Approve", "❌ Reject"], ["▶️ Try it"],
                             ["🔄 Regenerate", "✏️ Edit description"]]  # fmt: skip
    assert draft.inline_keyboard[0][1].callback_data == "flw:rj:7:2"
    rejected = card_keyboard(7, 2, draft=False, exported=1)  # v1 was approved before
    assert labels(rejected) == [["▶️ Try it"], ["🔄 Regenerate", "✏️ Edit description"],
                                ["⬇️ Export JSON (v1)"]]  # fmt: skip
    longest = card_keyboard(10**12, 10**6, draft=True, exported=10**6)
    data = [str(b.callback_data) for row in longest.inline_keyboard for b in row]
    assert max(len(item.encode()) for item in data) <= 64


def test_the_list_shows_versions_and_what_was_approved() -> None:
    text = views.flow_list([summary(2, versions=3, approved=1), summary(1, versions=1, approved=1)])
    lines = text.splitlines()
    assert lines[1] == ("• #2 Flow number 2 for &lt;VIP&gt; customers — v3 📝 draft "
                        "(3 versions, v1 approved)")  # fmt: skip
    assert lines[2].endswith("— v1 ✅ approved (1 version, v1 approved)")
    parse_html(text)  # valid Telegram HTML, or it raises
    assert views.flow_list([]).startswith("No SMS flows yet.")


def test_failure_lists_what_is_still_wrong() -> None:
    text = views.failed([f"Step 's{i}' sends customers to 'x'." for i in range(12)], ["fixed"])
    assert "• Step &#x27;s0&#x27; sends customers to &#x27;x&#x27;." in text
    assert "• … and 2 more" in text and "(1 other problems were fixed automatically.)" in text


def test_walk_times_read_as_day_hour_minute() -> None:
    assert [when(timedelta(minutes=m)) for m in (0, 45, 180, 2880, 3125)] == [
        "0m", "45m", "3h", "2d", "2d 4h 5m",
    ]  # fmt: skip


def test_a_long_walk_keeps_its_latest_lines_and_counts_the_rest() -> None:
    texts = [SimLine("message", f"m{i}", f"Text number {i} " + "x" * 140, timedelta(days=i), 2)
             for i in range(60)]  # fmt: skip
    pending = Decision("ask", 'Does the customer answer "<YES>"?', (Option("yes", "Yes"),))
    text = walk(3, 2, Simulation(texts, "waiting", pending))
    parse_html(text)
    assert utf16_len(parse_html(text).text) <= 4096
    assert "Text number 59" in text and "Text number 0 " not in text
    assert "earlier lines not shown</i>" in text and "💬 <b>at 59d, 2 SMS:</b>" in text
    assert text.endswith(
        "60 texts so far.\n👇 <b>Does the customer answer &quot;&lt;YES&gt;&quot;?</b>"
    )


def test_a_walk_that_ended_says_where() -> None:
    lines = [SimLine("message", "hi", "Hi & welcome", timedelta(0), 1),
             SimLine("note", "vip", "Is a VIP: yes", timedelta(0))]  # fmt: skip
    text = walk(3, 2, Simulation(lines, "ended", ended_at="end"))
    assert "💬 <b>at 0m:</b> Hi &amp; welcome\nℹ️ <i>Is a VIP: yes</i>" in text
    assert text.endswith("🏁 The flow ended at step “end”. The customer got 1 text.")

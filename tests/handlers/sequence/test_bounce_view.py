"""The /sequence view with bounces: counted with the other outcomes, listed (a delay as
`delayed`) with the server's words escaped, within Telegram's limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from core.mailing.delivery_log import DeliveryProblem
from core.sequences.views import SequenceDetail, SequenceView
from domain.sequences import ScheduleType
from handlers.sequence.views import detail_text

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _detail() -> SequenceDetail:
    view = SequenceView(
        id=3, name="Autumn candles", description="", schedule_type=ScheduleType.DAILY,
        weekly_emails=None, weekly_days=(), total_months=1, ai_agent_id=None,
        status="active", tz=TZ, send_time=time(9), starts_on=date(2026, 12, 7),
        created_by="api", created_at=NOW, recipient_count=3,
    )  # fmt: skip
    return SequenceDetail(view, (), ())


def test_bounces_are_counted_and_listed_with_the_servers_words_escaped() -> None:
    problems = [
        DeliveryProblem("gone@customer.example", 1, "bounced",
                        "Bounced (5.1.1): 550 5.1.1 <gone@customer.example>: unknown", NOW),
        DeliveryProblem("slow@customer.example", 1, "delayed",
                        "Delayed (4.4.1): connect to mx.customer.example timed out", NOW),
    ]  # fmt: skip
    text = detail_text(_detail(), {"sent": 1, "bounced": 1}, problems, NOW)
    assert "bounced 1 · sent 1" in text
    assert "<b>⚠️ Bounces, failures and unsubscribes</b>" in text
    assert (
        "07 Dec 10:00 · gone@customer.example · email #1 · bounced: Bounced (5.1.1): "
        "550 5.1.1 &lt;gone@customer.example&gt;: unknown"
    ) in text
    assert "slow@customer.example · email #1 · delayed: Delayed (4.4.1)" in text
    assert len(text) <= 4096

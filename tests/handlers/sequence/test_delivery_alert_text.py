"""The delivery alert's words: escaped, valid Telegram HTML within 4096 characters, the
counts and addresses, buttons only when something is unknown, each within 64 bytes."""

from __future__ import annotations

from core.mailing.delivery_alerts import DeliveryAlert
from handlers.common.keyboards import MAX_CALLBACK_BYTES
from handlers.sequence.deliveries import delivery_message
from tests.doubles.telegram_html import parse_html


def _alert(**overrides: object) -> DeliveryAlert:
    values: dict[str, object] = {
        "email_id": 2**31 - 1, "sequence_id": 3, "sequence_name": "Tips <b>&</b> tricks",
        "number": 2, "subject": "Wax & wicks <3", "revision": 2**31 - 1,
        "counts": {"sent": 40, "failed": 12, "unknown": 1},
        "unknown": ("bob@customer.example",),
        "failed": tuple((f"r{n}@x.example", "550 <no such user> & gone") for n in range(10)),
    }  # fmt: skip
    return DeliveryAlert(**{**values, **overrides})  # type: ignore[arg-type]


def test_the_alert_escapes_counts_and_names_the_addresses() -> None:
    text, markup = delivery_message(_alert())
    parse_html(text)  # valid for Telegram, or it raises
    assert "⚠️ <b>Tips &lt;b&gt;&amp;&lt;/b&gt; tricks</b>, email #2 “Wax &amp; wicks &lt;3”" in text
    assert "failed 12 · sent 40 · unknown 1" in text
    assert "• r0@x.example: 550 &lt;no such user&gt; &amp; gone" in text
    assert "… and 2 more (see /sequence → 📜 Send log)" in text
    assert "<b>Unknown</b> (1)" in text and "• bob@customer.example" in text
    assert markup is not None
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels == ["✅ It was sent", "🔁 Send again"]
    for row in markup.inline_keyboard:
        for button in row:
            assert len(str(button.callback_data).encode()) <= MAX_CALLBACK_BYTES


def test_failures_only_need_no_buttons() -> None:
    alert = _alert(counts={"failed": 1}, unknown=(), failed=(("a@x.example", None),))
    text, markup = delivery_message(alert)
    assert markup is None and "Unknown" not in text and "• a@x.example" in text


def test_a_huge_alert_still_fits_telegram() -> None:
    long = "x" * 3000
    failed = tuple((f"{n}{long}@x", long) for n in range(10))
    text, _ = delivery_message(_alert(sequence_name=long, subject=long, failed=failed))
    assert len(text) <= 4096
    parse_html(text)

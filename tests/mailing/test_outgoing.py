"""Building an outgoing email: threading headers, text + HTML, header injection refused."""

from __future__ import annotations

import pytest

from core.mailing.errors import HeaderInjection
from core.mailing.outgoing import OutgoingEmail, build_message, stable_message_id, text_to_html

SENDER = "Candle Shop <help@shop.example>"


def _email(**changes: object) -> OutgoingEmail:
    fields: dict[str, object] = {
        "to": "ana@customer.example", "subject": "Re: Where is my order #1042?",
        "text": "Hello Ana,\n\nIt ships tomorrow.", "message_id": "<reply-7@shop.example>",
        "in_reply_to": "<abc@customer.example>",
        "references": ("<root@customer.example>", "<abc@customer.example>"),
    }  # fmt: skip
    fields.update(changes)
    return OutgoingEmail(**fields)  # type: ignore[arg-type]


def test_a_reply_threads_and_has_both_parts() -> None:
    message = build_message(_email(), sender=SENDER)
    assert message["Message-ID"] == "<reply-7@shop.example>"
    assert message["In-Reply-To"] == "<abc@customer.example>"
    assert message["References"] == "<root@customer.example> <abc@customer.example>"
    assert message["From"] == SENDER and message["To"] == "ana@customer.example"
    assert message["Date"]
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and "It ships tomorrow." in plain.get_content()
    assert html is not None and "<p>It ships tomorrow.</p>" in html.get_content()


def test_extra_headers_are_added() -> None:
    headers = {"List-Unsubscribe": "<https://bot.example/u/tok>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}  # fmt: skip
    message = build_message(_email(headers=headers), sender=SENDER)
    assert message["List-Unsubscribe"] == "<https://bot.example/u/tok>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"subject": "Hi\r\nBcc: everyone@example.com"}, "Subject: contains a line break"),
        ({"subject": "Hi\nthere"}, "Subject: contains a line break"),
        ({"to": "ana@customer.example\r\nBcc: x@y.example"}, "To: contains a line break"),
        ({"in_reply_to": "<a@b>\nX-Evil: 1"}, "In-Reply-To: contains a line break"),
        ({"references": ("<a@b>\r",)}, "References: contains a line break"),
        ({"message_id": "<a@b>\n"}, "Message-ID: contains a line break"),
        ({"headers": {"X-Note": "a\nb"}}, "X-Note: contains a line break"),
        ({"headers": {"X-No\nte": "a"}}, "not allowed as an extra header"),
        ({"headers": {"Bcc": "spy@example.com"}}, "'Bcc': not allowed as an extra header"),
        ({"to": "ana@customer.example, bob@other.example"}, "To: not a single email address"),
        ({"to": "not an address"}, "To: not a single email address"),
    ],
)
def test_unsafe_headers_are_refused(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(HeaderInjection) as caught:
        build_message(_email(**changes), sender=SENDER)
    assert any(problem in line for line in caught.value.problems), caught.value.problems


def test_a_sender_with_a_line_break_is_refused() -> None:
    with pytest.raises(HeaderInjection, match="From: contains a line break"):
        build_message(_email(), sender="help@shop.example\nBcc: x@y.example")


def test_stable_message_id() -> None:
    assert stable_message_id("seq-3-email-9", "shop.example") == "<seq-3-email-9@shop.example>"
    with pytest.raises(ValueError, match="Message-ID"):
        stable_message_id("a b", "shop.example")


def test_text_to_html_escapes() -> None:
    assert text_to_html("<b>Hi</b>\nthere\n\nBye") == (
        "<html><body><p>&lt;b&gt;Hi&lt;/b&gt;<br>there</p><p>Bye</p></body></html>"
    )

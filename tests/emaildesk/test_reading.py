"""Reading mail: raw RFC 5322, pasted text, quoted replies, order numbers (tables of cases)."""

from __future__ import annotations

import pytest

from core.emaildesk.order_refs import candidates
from core.emaildesk.parse import Unreadable, parse_raw
from core.emaildesk.pasted import read_pasted
from core.emaildesk.quoting import strip_quoted


def _mail(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + body


def test_multipart_alternative_gives_the_text_part_and_keeps_the_html() -> None:
    raw = _mail(
        'From: a@example.com\nSubject: Hi\nContent-Type: multipart/alternative; boundary="x"\n',
        b"--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words\r\n"
        b"--x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Rich <b>words</b></p>\r\n--x--\r\n",
    )
    mail = parse_raw(raw)
    assert (mail.text, mail.html) == ("Plain words", "<p>Rich <b>words</b></p>")


def test_an_html_only_mail_is_read_as_text_without_scripts_or_styles() -> None:
    raw = _mail(
        "From: a@example.com\nContent-Type: text/html; charset=utf-8\n",
        b"<html><head><style>p{}</style></head><body><p>Hello&nbsp;there</p>"
        b"<script>x()</script><div>Line two<br>three</div></body></html>",
    )
    assert parse_raw(raw).text == "Hello there\n\nLine two\nthree"


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("text/plain; charset=iso-8859-1", b"Gr\xfc\xdfe", "Grüße"),
        ("text/plain; charset=koi8-r", "Привет".encode("koi8-r"), "Привет"),
        ("text/plain; charset=x-unknown", "Grüße".encode(), "Grüße"),
        ("text/plain; charset=x-unknown", b"Gr\xfc\xdfe", "Grüße"),  # Windows-1252 guessed
        ("text/plain", b"plain ascii", "plain ascii"),
    ],
)
def test_charsets_are_decoded_and_a_wrong_one_is_not_fatal(
    content_type: str, body: bytes, text: str
) -> None:
    raw = _mail(f"From: a@example.com\nContent-Type: {content_type}\n", body)
    assert parse_raw(raw).text == text


def test_headers_are_decoded_and_threading_ids_kept() -> None:
    raw = _mail(
        "From: =?utf-8?b?SsO8cmdlbg==?= <j@example.com>\nReply-To: orders@example.com\n"
        "Subject: =?utf-8?q?R=C3=BCckgabe?=\nMessage-ID: <a@x>\nIn-Reply-To: <b@x>\n"
        "References: <r1@x>\n <b@x>\nTo: shop@example.com, Other <o@example.com>\n",
        b"Body",
    )
    mail = parse_raw(raw)
    assert (mail.from_name, mail.subject, mail.reply_to) == (
        "Jürgen",
        "Rückgabe",
        "orders@example.com",
    )
    assert (mail.message_id, mail.in_reply_to, mail.references) == (
        "<a@x>",
        "<b@x>",
        ("<r1@x>", "<b@x>"),
    )
    assert mail.to_addresses == ("shop@example.com", "o@example.com")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"   \r\n", "The email is empty."),
        (b"From: two@example.com, addresses@example.com\r\n\r\nhi", "It has no usable From"),
        (b"From: a@example.com\r\nContent-Type: text/plain\r\n\r\n   ", "Its text is empty."),
        (
            b'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n'
            b"--q\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--q--\r\n",
            "It has no text to read",
        ),
    ],
)
def test_what_cannot_be_read_says_why(raw: bytes, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_raw(raw)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("text", "fresh"),
    [
        ("Thanks!\n\nOn Mon, 7 Dec 2026 at 09:00, Shop <s@x> wrote:\n> old\n> older", "Thanks!"),
        ("Danke\nAm 07.12.2026 um 09:00 schrieb Shop <s@x>:\n> alt", "Danke"),
        ("Merci\n\nLe lun. 7 déc. 2026, Shop a écrit :\n> vieux", "Merci"),
        ("Yes\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\n\nold", "Yes"),
        ("Sure\n\nFrom: Shop <s@x>\nSent: Monday, 7 December\nTo: me\n\nold", "Sure"),
        ("Top\n> quoted in the middle\nBottom\n-- \nJane\nCEO", "Top\nBottom"),
        ("> all of it is quoted", "> all of it is quoted"),
    ],
)
def test_quoted_replies_and_signatures_are_cut_for_the_prompt(text: str, fresh: str) -> None:
    assert strip_quoted(text) == fresh


@pytest.mark.parametrize(
    ("subject", "body", "strong", "weak"),
    [
        ("Where is my order #1001?", "", ["1001"], []),
        ("Re: Order No. a-1001", "and order 1001 too", ["A-1001", "1001"], []),
        ("Hello", "My order number is SO-77. Also #4455", ["SO-77"], ["4455"]),
        ("Bestellung 55012 fehlt", "", ["55012"], []),
        ("Question", "I ordered a mug; the order is late by 3 days", [], []),
        ("Invoice #2026", "item #12 costs &#163;5", [], ["2026"]),
    ],
)
def test_order_numbers_are_found_strongest_first(
    subject: str, body: str, strong: list[str], weak: list[str]
) -> None:
    assert candidates(subject, body) == (strong, weak)


def test_a_gmail_forward_names_the_customer_not_the_forwarder() -> None:
    pasted = read_pasted(
        "From: me@shop.example\nSubject: Fwd: Return\n\nplease answer\n\n"
        "---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\n"
        "Date: Sun, Dec 6, 2026\nSubject: Return\nTo: shop@example.com\n\nI want to return it."
    )
    assert (pasted.sender, pasted.subject, pasted.text) == (
        ("Jane", "jane@example.com"),
        "Return",
        "I want to return it.",
    )


@pytest.mark.parametrize(
    ("text", "sender", "subject", "body"),
    [
        ("Just the body.", None, "", "Just the body."),
        ("Subject: Hi\n\nNo sender here.", None, "Hi", "No sender here."),
        (
            "*From:* bob@example.com\n*Subject:* Hi\n\nBold headers",
            ("", "bob@example.com"),
            "Hi",
            "Bold headers",
        ),
        ("From my phone: hello", None, "", "From my phone: hello"),
    ],
)
def test_pasted_shapes(text: str, sender: tuple[str, str] | None, subject: str, body: str) -> None:
    pasted = read_pasted(text)
    assert (pasted.sender, pasted.subject, pasted.text) == (sender, subject, body)

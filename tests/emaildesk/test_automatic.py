"""Reading automatic mail: bounce reports (Postfix, Gmail, Exim), auto-replies, lists."""

from __future__ import annotations

import pytest

from core.emaildesk.fields import validate_fields
from core.emaildesk.parse import parse_raw
from core.emaildesk.pasted import read_pasted
from domain.emaildesk import AutomaticKind as K
from tests.emaildesk import automatic_samples as samples

ORIGINAL = "<seq1-e1-d1.a1b2@shop.example>"
GONE = "gone@customer.example"


def test_a_postfix_bounce_names_the_recipient_status_and_original_message() -> None:
    parsed = parse_raw(samples.postfix_bounce(ORIGINAL, GONE))
    assert parsed.automatic is not None and parsed.automatic.kind == K.BOUNCE
    report = parsed.automatic.report
    assert report is not None and report.standard
    assert report.original_message_id == ORIGINAL
    [item] = report.recipients
    assert (item.address, item.action, item.status) == (GONE, "failed", "5.1.1")
    assert item.permanent and item.diagnostic.startswith("550 5.1.1 <gone@customer.example>")
    assert "failed 5.1.1 for gone@customer.example" in parsed.automatic.reason
    assert "could not" in parsed.text and "User unknown" in parsed.text  # the people part


def test_a_gmail_bounce_is_read_from_its_report_and_attached_message() -> None:
    parsed = parse_raw(samples.gmail_bounce(ORIGINAL, GONE))
    assert parsed.automatic is not None and parsed.automatic.report is not None
    report = parsed.automatic.report
    assert report.original_message_id == ORIGINAL and report.standard
    [item] = report.recipients
    assert (item.address, item.status, item.permanent) == (GONE, "5.1.1", True)
    assert "does not exist" in item.diagnostic
    assert parsed.from_address == "mailer-daemon@googlemail.com"


def test_a_delay_warning_and_a_4xx_failure_are_not_hard_bounces() -> None:
    delayed = parse_raw(samples.postfix_bounce(ORIGINAL, GONE, status="4.4.1", action="delayed"))
    assert delayed.automatic is not None and delayed.automatic.report is not None
    [item] = delayed.automatic.report.recipients
    assert (item.action, item.status, item.failed, item.permanent) == (
        "delayed", "4.4.1", False, False
    )  # fmt: skip
    expired = parse_raw(samples.postfix_bounce(ORIGINAL, GONE, status="4.4.1"))
    assert expired.automatic is not None and expired.automatic.report is not None
    [item] = expired.automatic.report.recipients
    assert item.failed and not item.permanent


def test_an_exim_bounce_without_a_report_uses_x_failed_recipients() -> None:
    parsed = parse_raw(samples.exim_bounce(ORIGINAL, GONE))
    assert parsed.automatic is not None and parsed.automatic.report is not None
    report = parsed.automatic.report
    assert not report.standard and report.original_message_id == ORIGINAL
    [item] = report.recipients
    assert (item.address, item.status, item.permanent) == (GONE, "5.1.1", True)
    assert "X-Failed-Recipients" in parsed.automatic.reason


@pytest.mark.parametrize(
    ("raw", "kind", "reason"),
    [
        (samples.EXCHANGE_OUT_OF_OFFICE, K.AUTO_REPLY, "Auto-Submitted: auto-generated"),
        (samples.GMAIL_VACATION, K.AUTO_REPLY, "Auto-Submitted: auto-replied"),
        (samples.X_AUTOREPLY, K.AUTO_REPLY, "X-Autoreply: yes"),
        (samples.MAILING_LIST, K.BULK, "List-Id"),
        (
            samples.EXCHANGE_OUT_OF_OFFICE.replace(b"Auto-Submitted: auto-generated\n", b""),
            K.AUTO_REPLY,
            "out-of-office subject and X-Auto-Response-Suppress",
        ),
        (
            b"Return-Path: <>\n"
            + samples.X_AUTOREPLY.replace(b"X-Autoreply: yes\n", b"").replace(
                b"Thanks for your message", b"Out of Office: back Monday"
            ),
            K.AUTO_REPLY,
            "no return path",
        ),
        (
            samples.X_AUTOREPLY.replace(b"X-Autoreply: yes", b"Precedence: junk"),
            K.BULK,
            "Precedence: junk",
        ),
    ],
)
def test_auto_replies_and_lists_say_why(raw: bytes, kind: K, reason: str) -> None:
    parsed = parse_raw(raw)
    assert parsed.automatic is not None and parsed.automatic.report is None
    assert parsed.automatic.kind == kind and reason in parsed.automatic.reason


def test_an_out_of_office_subject_alone_is_a_person() -> None:
    assert parse_raw(samples.PERSON_OUT_OF_OFFICE).automatic is None


def test_the_api_fields_headers_and_a_pasted_mailer_daemon_are_automatic() -> None:
    body = {"from": "jane@customer.example", "to": "support@shop.example",
            "subject": "Automatic reply: hello", "text": "Away.",
            "headers": {"auto-submitted": "auto-replied"}}  # fmt: skip
    fields = validate_fields(body)
    assert fields.automatic is not None and fields.automatic.kind == K.AUTO_REPLY
    body["headers"] = {"Auto-Submitted": "no"}
    assert validate_fields(body).automatic is None
    pasted = read_pasted(
        "From: MAILER-DAEMON@mail.shop.example\nSubject: Undelivered Mail\n\nIt failed."
    )
    automatic = pasted.parsed().automatic
    assert automatic is not None and automatic.kind == K.BOUNCE

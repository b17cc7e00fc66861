"""Customer emails and orders as a shop owner gives them: /email (pasted, forwarded, an .eml
file), /orders (a CSV file, pasted JSON), and the REST API of the running bot (JSON and raw
rfc822), all ending in the same stored email, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from domain.emaildesk import EmailSource, InboundStatus
from handlers.common.access import REFUSAL
from storage.models import InboundEmail
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import send_document
from tests.e2e.harness import STRANGER, Harness, make_settings, running, with_api

TOKEN = "api-token-for-the-email-test"
EML = (
    b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jurgen@example.com>\r\n"
    b"To: shop@example.com\r\nSubject: Order #A-1001 arrived broken\r\n"
    b"Message-ID: <broken-1@mail.example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Die Tasse ist zerbrochen. Gr=FC=DFe\r\n"
    b'--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename="mug.jpg"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQ==\r\n--b--\r\n"
)
FORWARDED = """Can you answer this one?

---------- Forwarded message ---------
From: Jane Doe <jane@example.com>
Date: Sun, Dec 6, 2026 at 10:00 AM
Subject: Where is my order?
To: <shop@example.com>

Hi, my order number is A-1002 and it has not arrived. Jane"""


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole bot with the REST API on, and no model: the intake needs none (with one,
    the reply drafts' calls would still be running when a test ends)."""
    settings = with_api(make_settings(telegram_api, None, tmp_path), TOKEN)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


async def _emails(harness: Harness) -> list[InboundEmail]:
    async with harness.bot.services.sessions() as session:
        return list(await session.scalars(select(InboundEmail).order_by(InboundEmail.id)))


async def test_orders_first_then_a_forwarded_email_finds_its_order(harness: Harness) -> None:
    harness.send("/orders")
    await harness.said("No orders yet.")
    csv = b"order_number,status,items,customer_email\nA-1002,shipped,2x Mug,jane@example.com\n"
    send_document(harness, "orders.csv", csv, mime_type="text/csv")
    await harness.said("Orders imported: 1 new, 0 updated, 0 unchanged")

    harness.send("/email")
    await harness.said("Paste a customer's email")
    harness.send(FORWARDED)
    got = await harness.said("Got it: email #1 from jane@example.com")
    assert "<b>Subject:</b> Where is my order?" in got.params["text"]
    assert "<code>A-1002</code>" in got.params["text"]
    assert got.params["parse_mode"] == "HTML"

    stored = await harness.bot.services.email_intake.get(1)
    assert stored.source == EmailSource.TELEGRAM
    assert stored.text_for_prompt.startswith("Hi, my order number is A-1002")
    assert stored.order is not None and stored.order.items_in_words() == "2 × Mug"


async def test_a_paste_without_a_sender_asks_for_the_address(harness: Harness) -> None:
    harness.send("/email Do you ship to Norway? Kind regards, Ola")
    await harness.said("I couldn't find who sent it")
    harness.send("not an address")
    await harness.said("That isn't one email address")
    harness.send("Ola Nordmann <ola@example.no>")
    await harness.said("Got it: email #1 from ola@example.no")
    [email] = await _emails(harness)
    assert (email.from_name, email.subject) == ("Ola Nordmann", "")
    assert email.text == "Do you ship to Norway? Kind regards, Ola"


async def test_an_eml_file_is_read_and_the_same_mail_again_is_not_stored_twice(
    harness: Harness,
) -> None:
    send_document(harness, "broken mug.eml", EML, mime_type="message/rfc822")
    got = await harness.said("Got it: email #1 from jurgen@example.com")
    assert "mug.jpg (1 KB)" in got.params["text"] and "listed, not read" in got.params["text"]
    send_document(harness, "copy.eml", EML)
    await harness.said("I have this email already (#1")
    [email] = await _emails(harness)
    assert email.text == "Die Tasse ist zerbrochen. Grüße"
    assert email.from_name == "Jürgen Müller"


async def test_files_that_are_not_emails_are_refused_plainly(harness: Harness) -> None:
    harness.send("/email")
    await harness.said("Paste a customer's email")
    send_document(harness, "invoice.pdf", b"%PDF-1.4")
    await harness.said("invoice.pdf is not an email file")
    send_document(harness, "huge.eml", b"x", declared_size=11 * 1024 * 1024)
    await harness.said("huge.eml is 11.0 MB; I read emails up to 10 MB.")
    send_document(harness, "junk.eml", b"hello, not a mail")
    await harness.said("I couldn't read that email (#1): It has no usable From address")
    harness.send("/email")
    listing = await harness.said("Latest emails")
    assert "unreadable: It has no usable From address" in listing.params["text"]


async def test_a_bad_orders_file_imports_nothing_and_the_fixed_one_follows(
    harness: Harness,
) -> None:
    harness.send("/orders")
    await harness.said("No orders yet.")
    harness.send('[{"order_number": "A-1", "status": "paid"}, {"order_number": "A-2"}]')
    refused = await harness.said("Nothing was imported")
    assert "• Order #2: status is required" in refused.params["text"]
    harness.send(
        '[{"order_number": "A-1", "status": "paid"}, {"order_number": "A-2", "status": "new"}]'
    )
    await harness.said("Orders imported: 2 new")
    harness.send("/orders")
    listing = await harness.said("Latest orders")
    assert "<code>A-2</code> · new" in listing.params["text"]


async def test_a_stranger_can_not_hand_in_an_email(harness: Harness) -> None:
    harness.send("/email From: x@example.com\nSubject: hi\n\nhello", user_id=STRANGER)
    await harness.said(REFUSAL)
    send_document(harness, "a.eml", EML, user_id=STRANGER)
    await harness.said(REFUSAL)
    harness.send("/email")  # after both: the admin's answer comes once they were handled
    await harness.said("Paste a customer's email")
    assert await _emails(harness) == []


async def test_the_api_takes_json_and_raw_mail_and_a_draft_follows_in_telegram(
    harness: Harness,
) -> None:
    url = f"{harness.web_url}/api/emails/inbound"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    fields = {
        "from": "Jane Doe <jane@example.com>",
        "to": "shop@example.com",
        "subject": "Return",
        "text": "I'd like to return order A-7.",
        "message_id": "<ret-1@mail.example.com>",
    }
    async with aiohttp.ClientSession() as http:
        json_answer = await http.post(url, json=fields, headers=auth)
        raw_headers = {**auth, "Content-Type": "message/rfc822"}
        raw_answer = await http.post(url, data=EML, headers=raw_headers)
        again = await http.post(url, data=EML, headers=raw_headers)
        bad = await http.post(url, json={**fields, "from": "nobody"}, headers=auth)
        assert (json_answer.status, raw_answer.status, again.status) == (202, 202, 202)
        assert (await json_answer.json())["order_number"] == "A-7"
        raw_body, again_body = await raw_answer.json(), await again.json()
        assert again_body == {**raw_body, "duplicate": True}
        assert bad.status == 422
        assert (await bad.json())["details"] == ["from: is not an email address ('nobody')"]
    emails = await _emails(harness)
    assert [(e.source, e.status) for e in emails] == [("api", InboundStatus.RECEIVED)] * 2

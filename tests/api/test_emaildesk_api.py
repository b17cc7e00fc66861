"""POST /api/emails/inbound and POST /api/orders over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.api.emaildesk import EmailDeskApi, mount_email_desk
from core.emaildesk.intake import EmailIntake
from core.orders.service import OrderService
from domain.emaildesk import MAX_EMAIL_BYTES
from tests.api.conftest import AUTH, api_app
from tests.campaigns.helpers import Core

RAW = (
    b"From: Jane Doe <jane@example.com>\r\nTo: shop@example.com\r\n"
    b"Subject: Order #A-1001 arrived broken\r\nMessage-ID: <m1@mail.example.com>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe mug is cracked. Photo attached.\r\n"
)
FIELDS = {
    "from": "Bob <bob@example.com>",
    "to": "shop@example.com",
    "subject": "Do you ship to Norway?",
    "text": "Hi! Do you ship to Norway?",
}

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(core: Core) -> AsyncIterator[Client]:
    app = api_app(core)
    intake = EmailIntake(core.sessions, core.clock)
    desk = EmailDeskApi(intake, OrderService(core.sessions, core.clock))
    mount_email_desk(app, desk)
    async with TestClient(TestServer(app)) as client:
        yield client


async def _post(client: Client, path: str, data: Any, content_type: str) -> tuple[int, Any]:
    headers = {**AUTH, "Content-Type": content_type}
    response = await client.post(path, data=data, headers=headers)
    return response.status, await response.json()


async def test_json_fields_are_stored_once_and_a_retry_is_told_it_is_a_duplicate(
    client: Client,
) -> None:
    response = await client.post("/api/emails/inbound", json=FIELDS, headers=AUTH)
    first = await response.json()
    assert response.status == 202
    assert first == {"id": first["id"], "status": "received", "duplicate": False} | {
        "order_number": None
    }
    again = await client.post("/api/emails/inbound", json=FIELDS, headers=AUTH)
    repeated = await again.json()
    assert (again.status, repeated["id"], repeated["duplicate"]) == (202, first["id"], True)


async def test_a_raw_rfc822_mail_is_read_and_its_order_number_found(client: Client) -> None:
    status, body = await _post(client, "/api/emails/inbound", RAW, "message/rfc822")
    assert status == 202
    assert (body["status"], body["order_number"]) == ("received", "A-1001")


async def test_a_malformed_or_oversized_raw_mail_is_recorded_with_its_reason(
    client: Client,
) -> None:
    junk = b"not a mail at all"
    status, body = await _post(client, "/api/emails/inbound", junk, "message/rfc822")
    assert (status, body["status"]) == (202, "unreadable")
    assert body["reason"] == "It has no usable From address, so there is nobody to reply to."
    big = io.BytesIO(RAW + b"x" * MAX_EMAIL_BYTES)
    status, body = await _post(client, "/api/emails/inbound", big, "message/rfc822")
    assert (status, body["status"]) == (202, "unreadable")
    assert body["reason"].startswith("The email is 10.0 MB; emails over 10 MB are not read")


@pytest.mark.parametrize(
    ("data", "content_type", "details"),
    [
        (
            b'{"from": "bob", "to": "shop@example.com", "subject": "a\\nBcc: x@evil.test"}',
            "application/json",
            [
                "from: is not an email address ('bob')",
                "subject: must be one line (no CR or LF)",
                "text: is required (or html)",
            ],
        ),
        (b"{", "application/json", ["body: is not valid JSON"]),
        (b"hello", "text/plain", ["Content-Type: must be application/json or message/rfc822"]),
        (b"[1]", "application/json", ["body: must be a JSON object"]),
    ],
)
async def test_bad_inbound_bodies_get_422_with_one_line_per_problem(
    client: Client, data: bytes, content_type: str, details: list[str]
) -> None:
    status, body = await _post(client, "/api/emails/inbound", data, content_type)
    assert status == 422 and body["error"] == "Validation failed"
    given = zip(body["details"], details, strict=True)
    assert [line[: len(want)] for line, want in given] == details


async def test_orders_from_json_then_csv_count_created_and_updated(client: Client) -> None:
    orders = [{"order_number": "A-1001", "status": "processing", "items": ["Mug"]}]
    response = await client.post("/api/orders", json=orders, headers=AUTH)
    assert (response.status, await response.json()) == (
        200,
        {"created": 1, "updated": 0, "unchanged": 0},
    )
    csv = "order_number,status,items\nA-1001,shipped,Mug\nA-1002,paid,2x Teapot\n"
    status, body = await _post(client, "/api/orders", csv.encode(), "text/csv")
    assert (status, body) == (200, {"created": 1, "updated": 1, "unchanged": 0})


async def test_a_bad_orders_file_gets_422_naming_its_lines_and_imports_nothing(
    client: Client,
) -> None:
    csv = "order_number,status\nA-1,shipped\nA-2,\n"
    status, body = await _post(client, "/api/orders", csv.encode(), "text/csv")
    assert (status, body["details"]) == (422, ["Line 3: status cannot be blank"])
    response = await client.post("/api/orders", json=[], headers=AUTH)
    assert (await response.json())["details"] == ["There are no orders in it."]


async def test_without_the_token_nothing_is_stored(client: Client) -> None:
    response = await client.post("/api/emails/inbound", json=FIELDS)
    assert response.status == 401
    response = await client.post("/api/emails/inbound", json=FIELDS, headers=AUTH)
    assert (await response.json())["duplicate"] is False


async def test_bodies_over_the_limits_get_413_and_store_nothing(client: Client) -> None:
    big_json = io.BytesIO(b'{"text": "' + b"x" * (1024 * 1024) + b'"}')
    status, body = await _post(client, "/api/emails/inbound", big_json, "application/json")
    assert (status, body["error"]) == (413, "Body over 1 MiB; send a large mail as message/rfc822.")
    big_csv = io.BytesIO(b"order_number,status\n" + b"A-1,shipped\n" * 500_000)
    status, body = await _post(client, "/api/orders", big_csv, "text/csv")
    assert (status, body["error"]) == (413, "Body over 5 MB; split the file.")

"""GET /u/{token} shows a page and changes nothing; POST (RFC 8058 one-click or the page's
button) unsubscribes, idempotently; then no sequence mails the address again."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete

from bot.unsubscribe_pages import add_unsubscribe_routes
from core.config import SMTPSettings
from core.mailing.unsubscribe import Unsubscribes
from domain.mailing import DeliveryStatus as D
from storage.models import EmailSequence
from storage.repos import deliveries as repo
from tests.campaigns.helpers import MutableClock
from tests.doubles.smtp_server import Received, ScriptedSmtp
from tests.mailing.helpers import Sessions, add_sequence, deliveries, mail_dispatcher, sweep
from tests.publishing.helpers import FAST

Client = TestClient[web.Request, web.Application]
SLOW = dataclasses.replace(FAST, send_timeout_s=0.5)
ANA = "ana@customer.example"


@pytest.fixture
async def client(session_factory: Sessions) -> AsyncIterator[Client]:
    app = web.Application()
    add_unsubscribe_routes(app, Unsubscribes(session_factory, MutableClock()))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_unsubscribe_by_page_and_one_click_then_no_more_mail(
    session_factory: Sessions, smtp: tuple[ScriptedSmtp, SMTPSettings], client: Client
) -> None:
    box, settings = smtp
    clock = MutableClock()
    _, [first, second] = await add_sequence(session_factory, [ANA, "bob@customer.example"],
                                            emails=2)  # fmt: skip
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    await sweep(dispatcher)
    link = str(box.to(ANA)[0].message["List-Unsubscribe"]).strip().strip("<>")
    path = "/u/" + link.rsplit("/", 1)[1]

    page = await client.get(path)
    html = await page.text()
    assert page.status == 200 and f"Unsubscribe {ANA}?" in html and 'method="post"' in html
    page = await client.get(path)  # a link scanner's GETs change nothing
    assert "Unsubscribe ana@" in await page.text()

    one_click = {"Content-Type": "application/x-www-form-urlencoded"}
    for _ in range(2):  # RFC 8058: a POST; a repeat is fine
        done = await client.post(path, data="List-Unsubscribe=One-Click", headers=one_click)
        assert done.status == 200 and "You are unsubscribed" in await done.text()
    again = await client.get(path)
    assert "You are unsubscribed" in await again.text()

    clock.advance(days=1)
    await sweep(dispatcher)
    assert [m.rcpt for m in box.messages].count(ANA) == 1
    assert [m.rcpt for m in box.messages].count("bob@customer.example") == 2
    assert (await deliveries(session_factory, second))[ANA].status == D.SUPPRESSED
    assert (await deliveries(session_factory, first))[ANA].status == D.SENT


@pytest.mark.parametrize("token", ["A" * 32, "short", "x" * 31 + "!"])
async def test_an_unknown_token_is_a_404_page(client: Client, token: str) -> None:
    for response in (await client.get(f"/u/{token}"), await client.post(f"/u/{token}")):
        assert response.status == 404 and "Link not found" in await response.text()


def _token(received: Received) -> str:
    return str(received.message["List-Unsubscribe"]).strip().strip("<>").rsplit("/", 1)[1]


async def test_after_send_again_the_first_copys_link_still_unsubscribes(
    session_factory: Sessions, smtp: tuple[ScriptedSmtp, SMTPSettings], client: Client
) -> None:
    box, settings = smtp
    box.data_script.append("hang")  # the first copy arrives, its outcome is unknown
    clock = MutableClock()
    _, [email_id] = await add_sequence(session_factory, [ANA])
    await sweep(mail_dispatcher(session_factory, clock, settings, worker="a", policy=SLOW))
    row = (await deliveries(session_factory, email_id))[ANA]
    assert row.status == D.UNKNOWN
    async with session_factory.begin() as session:  # the admin taps 🔁 Send again
        assert await repo.resolve_unknown(session, row.id, sent=False, now=clock.now())
    await sweep(mail_dispatcher(session_factory, clock, settings, worker="a"))
    first, second = box.to(ANA)
    assert _token(first) == _token(second)
    assert first.message["Message-ID"] == second.message["Message-ID"]
    footer = first.message.get_body(("plain",))
    assert footer is not None and _token(first) in footer.get_content()

    done = await client.post(f"/u/{_token(first)}", data="List-Unsubscribe=One-Click")
    assert done.status == 200 and f"{ANA} will get no more" in await done.text()


async def test_two_sequences_to_one_address_share_its_link_which_outlives_them(
    session_factory: Sessions, smtp: tuple[ScriptedSmtp, SMTPSettings], client: Client
) -> None:
    box, settings = smtp
    clock = MutableClock()
    first_sequence, _ = await add_sequence(session_factory, [ANA, "bob@customer.example"])
    await add_sequence(session_factory, [ANA])
    await sweep(mail_dispatcher(session_factory, clock, settings, worker="a"))
    tokens = {_token(m) for m in box.to(ANA)}
    assert len(box.to(ANA)) == 2 and len(tokens) == 1
    assert _token(box.to("bob@customer.example")[0]) not in tokens

    async with session_factory.begin() as session:  # the sequence is deleted
        await session.execute(delete(EmailSequence).where(EmailSequence.id == first_sequence))
    page = await client.get(f"/u/{tokens.pop()}")
    assert page.status == 200 and f"Unsubscribe {ANA}?" in await page.text()

"""The publishers against real servers on loopback: the Bot API double, an HTTP receiver
that checks Standard Webhooks signatures, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from telegram import Bot
from telegram.error import RetryAfter

from bot.adapters.telegram_channel import TelegramChannelPublisher, classify
from bot.adapters.webhook_sender import WebhookPublisher
from core.config import SMTPSettings
from core.publishing.email import EmailPublisher
from core.publishing.errors import PublishRejected, RateLimited, TransientError
from core.publishing.types import ImageRef, Progress, Publication, Target
from core.standard_webhooks import verify
from tests.campaigns.helpers import MutableClock
from tests.doubles.local_server import serve
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import free_port

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHM="
LONG = "\n\n".join("A calm evening with wax and wick. " * 12 for _ in range(5))


def _publication(
    target: Target,
    caption: str = "Hello & welcome",
    post_format: str | None = "text",
    **extra: Any,
) -> Publication:
    return Publication(
        7, target, "Autumn candle", caption, ("#autumn",), post_format,
        datetime(2026, 11, 22, 9, 0, tzinfo=UTC), **extra,
    )  # fmt: skip


async def test_a_text_post_is_one_message_in_the_channel(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    progress = Progress()
    await TelegramChannelPublisher(telegram_bot).publish(
        _publication(Target("telegram", "@brand")), progress
    )
    [message] = telegram_api.messages_in("@brand")
    assert message["text"] == "Hello & welcome\n\n#autumn"
    assert progress.sent == [str(message["message_id"])]


@pytest.mark.parametrize("post_format", ["image", "carousel", "reel", "story", "video"])
async def test_every_media_format_goes_out_as_a_photo_post(
    telegram_bot: Bot, telegram_api: TelegramApiDouble, post_format: str
) -> None:
    """A channel takes no reels and (from a bot) no stories: the picked image is the post."""
    file_id = telegram_api.register_file(b"\x89PNG fake", kind="photos", suffix=".png")
    publication = _publication(
        Target("telegram", "@brand"), post_format=post_format, image=ImageRef(file_id, None)
    )
    await TelegramChannelPublisher(telegram_bot).publish(publication, Progress())
    [photo] = telegram_api.messages_in("@brand")
    assert photo["photo"][-1]["file_id"] == file_id
    assert photo["caption"] == "Hello & welcome\n\n#autumn"


async def test_a_text_post_never_sends_a_picture(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    file_id = telegram_api.register_file(b"\x89PNG fake", kind="photos", suffix=".png")
    publication = _publication(
        Target("telegram", "@brand"), post_format="text", image=ImageRef(file_id, None)
    )
    await TelegramChannelPublisher(telegram_bot).publish(publication, Progress())
    [message] = telegram_api.messages_in("@brand")
    assert "photo" not in message and message["text"] == "Hello & welcome\n\n#autumn"
    assert telegram_api.calls_to("sendPhoto") == []


@pytest.mark.parametrize("post_format", ["image", "reel", "story"])
async def test_a_media_post_whose_file_is_gone_is_refused_not_sent_as_text(
    telegram_bot: Bot, telegram_api: TelegramApiDouble, tmp_path: Path, post_format: str
) -> None:
    gone = tmp_path / "images" / "run-3" / "1.png"
    publication = _publication(
        Target("telegram", "@brand"), post_format=post_format, image=ImageRef(None, gone)
    )
    with pytest.raises(PublishRejected) as refused:
        await TelegramChannelPublisher(telegram_bot).publish(publication, Progress())
    article = "an" if post_format == "image" else "a"
    assert str(refused.value) == (
        f"Post #7 is {article} {post_format} post, but its image file {gone} is gone and Telegram "
        "has no copy of it, so nothing was sent. Put the file back under DATA_DIR, then retry."
    )
    assert telegram_api.messages_in("@brand") == []


async def test_a_media_post_without_a_picked_image_is_refused(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    publication = _publication(Target("telegram", "@brand"), post_format="carousel")
    with pytest.raises(PublishRejected, match=r"^Post #7 is a carousel post without a picked"):
        await TelegramChannelPublisher(telegram_bot).publish(publication, Progress())
    assert telegram_api.messages_in("@brand") == []


async def test_a_post_without_a_format_sends_what_it_has(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    """Posts stored before formats were: the picture if there is one, else the text."""
    file_id = telegram_api.register_file(b"\x89PNG fake", kind="photos", suffix=".png")
    publisher = TelegramChannelPublisher(telegram_bot)
    await publisher.publish(_publication(Target("telegram", "@a"), post_format=None), Progress())
    with_image = _publication(
        Target("telegram", "@b"), post_format=None, image=ImageRef(file_id, None)
    )
    await publisher.publish(with_image, Progress())
    [text], [photo] = telegram_api.messages_in("@a"), telegram_api.messages_in("@b")
    assert text["text"] == "Hello & welcome\n\n#autumn"
    assert photo["photo"][-1]["file_id"] == file_id


async def test_a_resumed_reel_whose_photo_went_out_sends_only_the_rest(
    telegram_bot: Bot, telegram_api: TelegramApiDouble, tmp_path: Path
) -> None:
    """The photo part was delivered before the file went: the rest follows, cut as before."""
    picture = tmp_path / "candle.png"
    picture.write_bytes(b"\x89PNG not really")
    first = Progress()
    telegram_api.fail_next("sendMessage", error_code=502)
    publication = _publication(
        Target("telegram", "@brand"), LONG, post_format="reel", image=ImageRef(None, picture)
    )
    with pytest.raises(TransientError):
        await TelegramChannelPublisher(telegram_bot).publish(publication, first)
    picture.unlink()
    await TelegramChannelPublisher(telegram_bot).publish(publication, first)
    photo, rest = telegram_api.messages_in("@brand")
    assert (photo["caption"] + " " + rest["text"]).split() == [*LONG.split(), "#autumn"]
    assert len(first.sent) == 2


async def test_a_photo_reuses_its_file_id_and_a_long_text_follows_it(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    file_id = telegram_api.register_file(b"\x89PNG fake", kind="photos", suffix=".png")
    publication = _publication(
        Target("telegram", "@brand"), LONG, post_format="image", image=ImageRef(file_id, None)
    )
    progress = Progress()
    await TelegramChannelPublisher(telegram_bot).publish(publication, progress)
    photo, rest = telegram_api.messages_in("@brand")
    assert photo["photo"][-1]["file_id"] == file_id
    assert len(photo["caption"]) <= 1024 and photo["caption"].endswith("wick.")
    assert rest["text"].endswith("#autumn")
    assert (photo["caption"] + " " + rest["text"]).split() == [*LONG.split(), "#autumn"]
    assert len(progress.sent) == 2


async def test_an_image_file_without_file_id_is_uploaded(
    telegram_bot: Bot, telegram_api: TelegramApiDouble, tmp_path: Path
) -> None:
    picture = tmp_path / "candle.png"
    picture.write_bytes(b"\x89PNG not really")
    publication = _publication(
        Target("telegram", "@brand"), post_format="image", image=ImageRef(None, picture)
    )
    await TelegramChannelPublisher(telegram_bot).publish(publication, Progress())
    [photo] = telegram_api.messages_in("@brand")
    assert photo["caption"] == "Hello & welcome\n\n#autumn"
    assert telegram_api.last("sendPhoto").files["photo"].data == b"\x89PNG not really"


async def test_a_resumed_publish_skips_the_parts_already_sent(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    progress = Progress(sent=["41"])
    await TelegramChannelPublisher(telegram_bot).publish(
        _publication(Target("telegram", "@brand"), LONG + LONG), progress
    )
    assert len(telegram_api.messages_in("@brand")) == 1
    assert progress.sent[0] == "41" and len(progress.sent) == 2


@pytest.mark.parametrize(
    ("code", "expected"),
    [(429, RateLimited), (400, PublishRejected), (403, PublishRejected), (502, TransientError)],
)
async def test_telegram_answers_map_onto_the_policy(
    telegram_bot: Bot, telegram_api: TelegramApiDouble, code: int, expected: type[Exception]
) -> None:
    telegram_api.fail_next("sendMessage", error_code=code, retry_after=3 if code == 429 else None)
    with pytest.raises(expected) as caught:
        await TelegramChannelPublisher(telegram_bot).publish(
            _publication(Target("telegram", "-1001234")), Progress()
        )
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after_s == 3


def test_retry_after_becomes_seconds() -> None:
    from datetime import timedelta

    assert classify(RetryAfter(timedelta(seconds=7))).retry_after_s == 7  # type: ignore[attr-defined]


@dataclass
class Receiver:
    """An HTTP endpoint like Make or n8n: it checks the signature and answers as told."""

    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        verify(SECRET, request.headers, body, now=int(datetime.now(UTC).timestamp()))
        self.ids.append(request.headers["webhook-id"])
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        if status == 200:
            self.received.append(json.loads(body))
            return web.json_response({"id": f"zap-{len(self.received)}"})
        return web.Response(status=status, headers=headers)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    async with serve(app) as base_url:
        yield found, f"{base_url}/hook"


async def test_the_webhook_posts_signed_json(receiver: tuple[Receiver, str]) -> None:
    found, url = receiver
    publisher = WebhookPublisher(url, SECRET, MutableClock(datetime.now(UTC)), timeout_s=5)
    progress = Progress()
    try:
        await publisher.publish(_publication(Target("webhook"), post_format="reel"), progress)
    finally:
        await publisher.close()
    [event] = found.received
    assert event["type"] == "post.publish"
    assert event["data"]["format"] == "reel"  # as planned: the receiver decides what it is
    assert event["data"]["text"] == "Hello & welcome\n\n#autumn"
    assert event["data"]["post_id"] == 7
    assert progress.sent == ["zap-1"]
    assert found.ids == ["msg_post-7"]


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"Retry-After": "12"}, RateLimited),
        (503, {}, TransientError),
        (404, {}, PublishRejected),
    ],
)
async def test_webhook_answers_map_onto_the_policy(
    receiver: tuple[Receiver, str], status: int, headers: dict[str, str], expected: type
) -> None:
    found, url = receiver
    found.answers.append((status, headers))
    publisher = WebhookPublisher(url, SECRET, MutableClock(datetime.now(UTC)), timeout_s=5)
    try:
        with pytest.raises(expected):
            await publisher.publish(_publication(Target("webhook")), Progress())
    finally:
        await publisher.close()


async def test_an_unreachable_webhook_is_transient() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"  # nobody listens there
    publisher = WebhookPublisher(url, SECRET, MutableClock(datetime.now(UTC)), timeout_s=5)
    try:
        with pytest.raises(TransientError, match="could not be reached"):
            await publisher.publish(_publication(Target("webhook")), Progress())
    finally:
        await publisher.close()


@dataclass
class Mailbox:
    messages: list[bytes] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:  # fmt: skip
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, SMTPSettings]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, SMTPSettings(_env_file=None, host="127.0.0.1", port=controller.port,
                                starttls=False, EMAIL_FROM="copilot@brand.example")  # fmt: skip
    finally:
        controller.stop()


async def test_an_email_goes_out_with_the_post(smtp: tuple[Mailbox, SMTPSettings]) -> None:
    box, settings = smtp
    progress = Progress()
    await EmailPublisher(settings, timeout_s=5).publish(
        _publication(Target("email", "team@brand.example")), progress
    )
    [raw] = box.messages
    assert b"Subject: Autumn candle" in raw and b"Hello & welcome" in raw
    assert progress.sent[0].startswith("<") and "post-7" in progress.sent[0]


async def test_a_refused_recipient_is_a_refusal(smtp: tuple[Mailbox, SMTPSettings]) -> None:
    _, settings = smtp
    with pytest.raises(PublishRejected, match="refused the recipient"):
        await EmailPublisher(settings, timeout_s=5).publish(
            _publication(Target("email", "nobody@brand.example")), Progress()
        )

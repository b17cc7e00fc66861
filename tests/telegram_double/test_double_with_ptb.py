"""The double end to end with a real python-telegram-bot client over real HTTP (no mocks)."""

from __future__ import annotations

import datetime as dtm
import time

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes

from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.telegram_spec import validate_object

CHAT = 424242
USER = 424242
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Approve", callback_data="approve:7")],
        [InlineKeyboardButton("Docs", url="https://example.com/docs")],
    ]
)


async def test_get_me_returns_the_bot_user(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    me = await telegram_bot.get_me()

    assert me.is_bot
    assert me.username == telegram_api.bot_user["username"]
    assert telegram_api.tokens_seen == {telegram_api.token}


async def test_send_message_with_keyboard_is_stored_and_echoed(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    sent = await telegram_bot.send_message(
        CHAT, "<b>Plan</b> ready &amp; waiting", parse_mode="HTML", reply_markup=KEYBOARD
    )

    assert sent.text == "Plan ready & waiting"
    assert sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == KEYBOARD
    assert sent.text_html == "<b>Plan</b> ready &amp; waiting"
    call = telegram_api.last("sendMessage")
    assert call.params["chat_id"] == CHAT
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "approve:7"
    [stored] = telegram_api.messages_in(CHAT)
    assert stored["message_id"] == sent.message_id
    assert validate_object("Message", stored) == []


async def test_message_ids_count_per_chat(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    first = await telegram_bot.send_message(CHAT, "one")
    other_chat = await telegram_bot.send_message(CHAT + 1, "elsewhere")
    second = await telegram_bot.send_message(CHAT, "two")

    assert (first.message_id, second.message_id, other_chat.message_id) == (1, 2, 1)


async def test_channel_posts_come_from_the_channel(telegram_bot: Bot) -> None:
    post = await telegram_bot.send_message("@copilot_news", "Launch day")

    assert post.chat.type == "channel"
    assert post.chat.username == "copilot_news"
    assert post.sender_chat is not None and post.sender_chat.id == post.chat.id
    assert post.from_user is None


async def test_editing_twice_with_the_same_content_is_not_modified(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    sent = await telegram_bot.send_message(CHAT, "Draft 1", reply_markup=KEYBOARD)

    edited = await telegram_bot.edit_message_text(
        "Draft 2", chat_id=CHAT, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await telegram_bot.edit_message_text(
            "Draft 2", chat_id=CHAT, message_id=sent.message_id, reply_markup=KEYBOARD
        )

    assert isinstance(edited, type(sent)) and edited.text == "Draft 2"
    assert edited.edit_date is not None
    assert telegram_api.messages_in(CHAT)[0]["text"] == "Draft 2"
    assert telegram_api.violations == []  # a rejected edit is Telegram behaviour, not misuse


async def test_an_edit_without_reply_markup_drops_the_keyboard(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    sent = await telegram_bot.send_message(CHAT, "Pick one", reply_markup=KEYBOARD)

    await telegram_bot.edit_message_text("Picked", chat_id=CHAT, message_id=sent.message_id)

    assert "reply_markup" not in telegram_api.messages_in(CHAT)[0]


async def test_editing_an_unknown_message_fails_like_telegram(telegram_bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await telegram_bot.edit_message_text("x", chat_id=CHAT, message_id=999)


async def test_media_group_from_bytes_and_file_download(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    media = [
        InputMediaPhoto(PNG, caption="<i>Option A</i>", parse_mode="HTML"),
        InputMediaPhoto(PNG[::-1]),
    ]

    messages = await telegram_bot.send_media_group(CHAT, media)

    assert len(messages) == 2
    assert messages[0].media_group_id == messages[1].media_group_id is not None
    assert messages[0].caption == "Option A"
    call = telegram_api.last("sendMediaGroup")
    assert len(call.files) == 2
    assert all(m["media"].startswith("attach://") for m in call.params["media"])
    photo_file = await messages[1].photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()) == PNG[::-1]


async def test_send_photo_upload_then_resend_by_file_id(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    first = await telegram_bot.send_photo(CHAT, PNG, caption="Banner")
    again = await telegram_bot.send_photo(CHAT, first.photo[-1].file_id)

    assert again.photo[-1].file_id == first.photo[-1].file_id
    assert telegram_api.last("sendPhoto").files == {}
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await telegram_bot.send_photo(CHAT, "made-up-file-id")


async def test_injected_429_raises_retry_after(
    telegram_bot: Bot, telegram_api: TelegramApiDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, building RetryAfter emits a PTBDeprecationWarning, which
    # filterwarnings=error turns into the exception the bot sees instead of RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    telegram_api.fail_next("sendMessage", retry_after=3)

    with pytest.raises(RetryAfter) as caught:
        await telegram_bot.send_message(CHAT, "hello")
    sent = await telegram_bot.send_message(CHAT, "hello")

    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert sent.text == "hello"
    failed = telegram_api.calls_to("sendMessage")[0]
    assert failed.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_invalid_requests_get_telegram_errors_and_are_recorded(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])

    with pytest.raises(BadRequest, match="Message is too long"):
        await telegram_bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await telegram_bot.send_message(CHAT, "x", reply_markup=too_long)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await telegram_bot.send_message(CHAT, "1 < 2", parse_mode="HTML")

    violations = telegram_api.expect_violations()
    assert [v.method for v in violations] == ["sendMessage"] * 3
    assert telegram_api.messages_in(CHAT) == []


async def test_unknown_method_is_404(telegram_bot: Bot, telegram_api: TelegramApiDouble) -> None:
    # PTB maps a 404 to InvalidToken, or EndPointNotFound for do_api_request.
    with pytest.raises(EndPointNotFound, match="sendTelepathy"):
        await telegram_bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": CHAT})

    [violation] = telegram_api.expect_violations()
    assert violation.method == "sendTelepathy"


async def test_get_updates_returns_pushed_updates_and_confirms_them(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    update_id = telegram_api.push_update(
        telegram_api.make_message_update(CHAT, USER, "/start campaign", first_name="Ada")
    )

    [update] = await telegram_bot.get_updates(timeout=5, allowed_updates=["message"])
    confirmed = await telegram_bot.get_updates(offset=update_id + 1, timeout=0)

    assert update.update_id == update_id
    assert update.message is not None and update.message.text == "/start campaign"
    assert update.message.from_user is not None and update.message.from_user.first_name == "Ada"
    assert update.message.parse_entities() == {update.message.entities[0]: "/start"}
    assert confirmed == ()


async def test_get_updates_long_polls_until_an_update_arrives(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    telegram_api.max_poll_wait = 0.3  # the cap that keeps abandoned polls short
    started = time.monotonic()
    empty = await telegram_bot.get_updates(timeout=30)
    assert empty == ()
    assert 0.25 <= time.monotonic() - started < 5

    telegram_api.push_update(telegram_api.make_message_update(CHAT, USER, "hi"))
    [update] = await telegram_bot.get_updates(timeout=5)
    assert update.effective_message is not None and update.effective_message.text == "hi"


async def test_callback_query_carries_the_rendered_message(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    sent = await telegram_bot.send_message(CHAT, "Approve the plan?", reply_markup=KEYBOARD)
    telegram_api.push_update(
        telegram_api.make_callback_update(CHAT, USER, sent.message_id, "approve:7")
    )

    [update] = await telegram_bot.get_updates(timeout=5)
    query = update.callback_query
    assert query is not None and query.data == "approve:7"
    assert isinstance(query.message, Message) and query.message.reply_markup == KEYBOARD
    assert await query.answer("Approved") is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()
    with pytest.raises(AssertionError, match="no button"):
        telegram_api.make_callback_update(CHAT, USER, sent.message_id, "reject:7")


async def test_reply_update_points_at_the_bot_message(
    telegram_bot: Bot, telegram_api: TelegramApiDouble
) -> None:
    question = await telegram_bot.send_message(CHAT, "What is the budget?")
    telegram_api.push_update(
        telegram_api.make_reply_update(CHAT, USER, question.message_id, "500 EUR")
    )

    [update] = await telegram_bot.get_updates(timeout=5)

    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == question.message_id
    assert update.message.message_id == question.message_id + 1


async def test_commands_round_trip(telegram_bot: Bot) -> None:
    await telegram_bot.set_my_commands([("start", "Start planning"), ("help", "Get help")])

    commands = await telegram_bot.get_my_commands()
    assert [c.command for c in commands] == ["start", "help"]
    assert await telegram_bot.delete_my_commands()
    assert await telegram_bot.get_my_commands() == ()


async def test_delay_and_wait_for(telegram_bot: Bot, telegram_api: TelegramApiDouble) -> None:
    telegram_api.delay("sendChatAction", 0.2)
    started = time.monotonic()
    await telegram_bot.send_chat_action(CHAT, "typing")
    assert time.monotonic() - started >= 0.2

    call = await telegram_api.wait_for("sendChatAction", lambda c: c.params["action"] == "typing")
    assert call.ok
    with pytest.raises(AssertionError, match=r"no sendChatAction call within 0\.1s"):
        await telegram_api.wait_for("sendChatAction", timeout=0.1)


async def test_a_ptb_application_answers_a_command_over_polling(
    telegram_api: TelegramApiDouble,
) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert context.args is not None
        await update.effective_message.reply_html(f"Hello, <b>{context.args[0]}</b>!")

    app = (
        Application.builder()
        .token(telegram_api.token)
        .base_url(telegram_api.base_url)
        .base_file_url(telegram_api.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    telegram_api.push_update(telegram_api.make_message_update(CHAT, USER, "/start Ada"))

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
        reply = await telegram_api.wait_for("sendMessage")
        await app.updater.stop()
        await app.stop()

    assert reply.params["text"] == "Hello, <b>Ada</b>!"
    assert telegram_api.messages_in(CHAT)[-1]["text"] == "Hello, Ada!"

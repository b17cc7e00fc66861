"""The spec validator and HTML parser on their own, and the double's HTTP surface."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.doubles.telegram_api import TelegramApiDouble
from tests.doubles.telegram_html import HtmlParseError, parse_html, utf16_len
from tests.doubles.telegram_spec import Limit, field_limit, load_spec, validate_call


def _keyboard(*rows: list[dict[str, Any]]) -> str:
    return json.dumps({"inline_keyboard": list(rows)})


def _photos(count: int) -> str:
    return json.dumps([{"type": "photo", "media": f"attach://p{i}"} for i in range(count)])


def _commands(*pairs: tuple[str, str]) -> str:
    return json.dumps([{"command": c, "description": d} for c, d in pairs])


def _hi(**extra: Any) -> dict[str, Any]:
    """A sendMessage that is valid apart from `extra`."""
    return {"chat_id": "42", "text": "hi", **extra}


def _buttons(*buttons: dict[str, Any]) -> dict[str, Any]:
    """A sendMessage with one row of inline buttons."""
    return _hi(reply_markup=_keyboard(list(buttons)))


def _html(text: str) -> dict[str, Any]:
    """A sendMessage in HTML parse mode."""
    return _hi(text=text, parse_mode="HTML")


def _command(command: str, description: str = "d") -> dict[str, Any]:
    return {"commands": _commands((command, description))}


def _case_id(value: object) -> str:
    # Readable ids: the method name and the expected problem; parameters stay anonymous.
    return value[:48] if isinstance(value, str) else "-"


UPLOADS = [f"p{i}" for i in range(12)]
SEND = "sendMessage"
URL_BUTTON = {"text": "B", "url": "https://x.org"}

VALID_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("getMe", {}),
    (SEND, _hi()),
    ("sendmessage", _hi(chat_id="@channel")),  # method names ignore case
    (SEND, _hi(chat_id=42, text="x" * 4096)),
    (SEND, _hi(text="😀" * 2048)),  # 4096 UTF-16 code units
    (SEND, _html("<b>b</b>" * 1000)),  # 1000 characters after parsing
    (SEND, _html("a &lt; b &#60; c &#x3C; &quot;q&quot; &gt;")),
    (SEND, _hi(text="*x*", parse_mode="MarkdownV2")),
    (SEND, _hi(disable_notification="true", protect_content="1")),
    (SEND, _buttons({"text": "A", "callback_data": "a" * 64}, URL_BUTTON)),
    (SEND, _buttons({"text": "A", "callback_data": "é" * 32, "style": "success"})),
    (SEND, _hi(reply_markup='{"force_reply": true}')),
    (SEND, _hi(reply_markup='{"keyboard": [[{"text": "Yes"}]], "one_time_keyboard": true}')),
    (SEND, _hi(reply_parameters='{"message_id": 3}')),
    ("sendPhoto", {"chat_id": "42", "photo": "AgACAgIAAxkBAAI", "caption": "c" * 1024}),
    ("sendMediaGroup", {"chat_id": "42", "media": _photos(2)}),
    ("sendMediaGroup", {"chat_id": "42", "media": _photos(10)}),
    (
        "sendMediaGroup",  # photos and videos may share an album; a file_id needs no upload
        {"chat_id": "42", "media": _photos(1)[:-1] + ', {"type": "video", "media": "id"}]'},
    ),
    ("editMessageText", {"chat_id": "42", "message_id": "7", "text": "new"}),
    ("editMessageText", {"inline_message_id": "abc", "text": "new"}),
    ("editMessageReplyMarkup", {"chat_id": "42", "message_id": "7"}),
    ("answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 200}),
    ("setMyCommands", {"commands": _commands(("start", "Start"), ("plan_2", "d" * 256))}),
    ("setMyCommands", {"commands": _commands(*[(f"c{i}", "d") for i in range(100)])}),
    ("getUpdates", {"offset": "-1", "timeout": "30", "allowed_updates": '["message"]'}),
    ("sendChatAction", {"chat_id": "42", "action": "upload_photo"}),
    ("setWebhook", {"url": "https://example.com/hook", "secret_token": "s3cr3t"}),
]

INVALID_CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("sendTelepathy", {}, 'method "sendTelepathy" not found'),
    (SEND, {"text": "hi"}, 'parameter "chat_id" is required'),
    (SEND, {"chat_id": "42"}, "message text is empty"),
    (SEND, _hi(text="  \n "), "message text is empty"),
    (SEND, _hi(text="x" * 4097), "message is too long"),
    (SEND, _hi(text="😀" * 2049), "message is too long"),
    (SEND, _html("x" * 4097 + "<b></b>"), "message is too long"),
    (SEND, _hi(colour="red"), 'unknown field "colour"'),
    (SEND, _hi(disable_notification="maybe"), '"disable_notification" must be of type Boolean'),
    (SEND, _html("<b>x"), 'Can\'t find end tag corresponding to start tag "b"'),
    (SEND, _html("a < b"), 'Unsupported start tag "" at byte offset 2'),
    (SEND, _html("a&nbsp;b"), 'Unsupported HTML entity "&nbsp;"'),
    (SEND, _html("Q&A"), 'Character "&" at byte offset 1 must be escaped'),
    (SEND, _html("<script>x</script>"), 'Unsupported start tag "script" at byte offset 0'),
    (SEND, _html("<b>x</i>"), 'Unmatched end tag at byte offset 4, expected "</b>"'),
    (SEND, _hi(parse_mode="Markdown2"), "unsupported parse_mode 'Markdown2'"),
    (SEND, _hi(reply_markup="{not json"), "can't parse reply_markup"),
    (
        SEND,
        _buttons({"text": "A", "callback_data": "a" * 65}),
        "BUTTON_DATA_INVALID: reply_markup.inline_keyboard[0][0].callback_data is 65 bytes",
    ),
    (SEND, _buttons({"text": "A", "callback_data": "é" * 33}), "callback_data is 66 bytes"),
    (SEND, _buttons({**URL_BUTTON, "callback_data": "a"}), "exactly one of callback_data"),
    (SEND, _buttons({"text": "A"}), "must be used, got none"),
    (SEND, _buttons({"callback_data": "a"}), '"reply_markup.inline_keyboard[0][0].text" is req'),
    (SEND, _buttons({"text": 5, "callback_data": "a"}), '.text" must be of type String'),
    (SEND, _buttons({**URL_BUTTON, "style": "rainbow"}), "'rainbow' is not one of danger"),
    ("sendPhoto", {"chat_id": "42", "caption": "c"}, 'parameter "photo" is required'),
    ("sendPhoto", {"chat_id": "42", "photo": "id", "caption": "c" * 1025}, "caption is too long"),
    ("sendMediaGroup", {"chat_id": "42", "media": _photos(1)}, "media is 1 items, must be 2-10"),
    ("sendMediaGroup", {"chat_id": "42", "media": _photos(11)}, "is 11 items, must be 2-10"),
    (
        "sendMediaGroup",
        {"chat_id": "42", "media": '[{"type": "photo", "media": "attach://nope"}] '},
        '"attach://nope" is not among the uploaded parts',
    ),
    (
        "sendMediaGroup",
        {"chat_id": "42", "media": _photos(1)[:-1] + ', {"type": "sticker", "media": "x"}]'},
        "media[1].type must be one of audio, document, live_photo, photo, video",
    ),
    ("editMessageText", {"chat_id": "42", "text": "x"}, "unless inline_message_id is given"),
    ("answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 201}, "MESSAGE_TOO_LONG"),
    ("setMyCommands", {"commands": "[]"}, "commands is 0 items, must be 1-100"),
    ("setMyCommands", {"commands": _commands(*[(f"c{i}", "d") for i in range(101)])}, "101 items"),
    ("setMyCommands", _command("Start"), "only lowercase English letters, digits and underscores"),
    ("setMyCommands", _command("c" * 33), "command is 33 UTF-16 code units, must be 1-32"),
    ("setMyCommands", _command("start", ""), "description is 0 UTF-16 code units, must be 1-256"),
    ("setMyCommands", _command("start", "d" * 257), "must be 1-256"),
    (
        "setMyCommands",
        {**_command("start"), "scope": '{"type": "chat"}'},
        'field "scope.chat_id" is required',
    ),
    ("getUpdates", {"timeout": "0.5"}, 'field "timeout" must be of type Integer'),
    ("getUpdates", {"limit": "101"}, "limit must be 1-100, got 101"),
    ("sendChatAction", {"chat_id": "42", "action": "dancing"}, "'dancing' is not one of"),
]


@pytest.mark.parametrize(("method", "params"), VALID_CALLS, ids=_case_id)
def test_valid_calls_pass(method: str, params: dict[str, Any]) -> None:
    assert validate_call(method, params, uploads=UPLOADS) == []


@pytest.mark.parametrize(("method", "params", "problem"), INVALID_CALLS, ids=_case_id)
def test_invalid_calls_are_caught(method: str, params: dict[str, Any], problem: str) -> None:
    problems = validate_call(method, params, uploads=UPLOADS)

    assert any(problem in p for p in problems), problems


def test_an_uploaded_part_supplies_its_parameter() -> None:
    assert validate_call("sendPhoto", {"chat_id": "42"}, uploads=["photo"]) == []


@pytest.mark.parametrize(
    ("owner", "field", "limit"),
    [
        ("sendMessage", "text", Limit(1, 4096, "characters", after_parsing=True)),
        ("sendPhoto", "caption", Limit(0, 1024, "characters", after_parsing=True)),
        ("answerCallbackQuery", "text", Limit(0, 200, "characters")),
        ("sendMediaGroup", "media", Limit(2, 10, "items")),
        ("setMyCommands", "commands", Limit(1, 100, "items")),
    ],
)
def test_limits_come_from_the_spec(owner: str, field: str, limit: Limit) -> None:
    spec = load_spec().method(owner)
    assert spec is not None

    assert field_limit(spec.name, spec.fields[field]) == limit


def test_button_limits_come_from_the_spec() -> None:
    button = load_spec().types["InlineKeyboardButton"]

    assert field_limit("InlineKeyboardButton", button.fields["callback_data"]) == Limit(
        1, 64, "bytes"
    )


# -- HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("plain", "plain", []),
        ("<b>bold</b> &amp; <i>it</i>", "bold & it", [("bold", 0, 4), ("italic", 7, 2)]),
        ("<STRONG>x</STRONG>", "x", [("bold", 0, 1)]),
        ("😀<u>u</u>", "😀u", [("underline", 2, 1)]),
        ('<span class="tg-spoiler">s</span>', "s", [("spoiler", 0, 1)]),
        (
            "<tg-spoiler>s</tg-spoiler><s>x</s><del>y</del>",
            "sxy",
            [("spoiler", 0, 1), ("strikethrough", 1, 1), ("strikethrough", 2, 1)],
        ),
        ('<a href="https://x.org/?a=1&amp;b=2">link</a>', "link", [("text_link", 0, 4)]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        ("<code>a &lt;b&gt;</code>", "a <b>", [("code", 0, 5)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ('<tg-time unix="1700000000" format="wDT">then</tg-time>', "then", [("date_time", 0, 4)]),
        ("&quot;&#128512;&#x41;", '"😀A', []),
        ("a > b", "a > b", []),  # a bare ">" is fine for Telegram
        ("<b></b>x", "x", []),  # empty entities are dropped
    ],
)
def test_html_parses_like_telegram(
    html: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_html(html)

    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("é<p>x</p>", 'Unsupported start tag "p" at byte offset 2'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
        ("fish & chips", 'Character "&" at byte offset 5 must be escaped as "&amp;"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<tg-emoji>x</tg-emoji>", 'Tag "tg-emoji" must have a numeric attribute "emoji-id"'),
        ('<a href="x>y</a>', 'Unclosed attribute value in the tag "a"'),
        ("&#xD800;", 'Invalid numeric HTML entity "&#xD800;"'),
    ],
)
def test_bad_html_is_rejected_like_telegram(html: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)

    assert str(caught.value) == f"can't parse entities: {error}" or error in str(caught.value)


def test_lengths_are_utf16_code_units() -> None:
    assert (utf16_len("abc"), utf16_len("é"), utf16_len("😀"), utf16_len("👍🏽")) == (3, 1, 2, 4)


# -- the HTTP surface, without PTB --------------------------------------------------------


async def _post(url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


async def test_json_bodies_are_accepted(telegram_api: TelegramApiDouble) -> None:
    url = f"{telegram_api.base_url}{telegram_api.token}/sendMessage"
    status, body = await _post(
        url,
        json={"chat_id": 5, "text": "hi", "reply_markup": {"force_reply": True}},
    )

    assert status == 200 and body["ok"] is True
    assert body["result"]["text"] == "hi"
    assert "reply_markup" not in body["result"]  # only inline keyboards stay on a message


async def test_an_invalid_request_is_a_telegram_400_and_a_violation(
    telegram_api: TelegramApiDouble,
) -> None:
    url = f"{telegram_api.base_url}{telegram_api.token}/sendMessage"
    status, body = await _post(url, data={"chat_id": "5", "text": "x" * 4097})

    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is too long: text is 4097 UTF-16 code units "
        "after entity parsing, must be 1-4096",
    }
    [violation] = telegram_api.expect_violations()
    assert violation.method == "sendMessage" and violation.params["chat_id"] == 5


async def test_unknown_methods_are_404(telegram_api: TelegramApiDouble) -> None:
    status, body = await _post(f"{telegram_api.base_url}any-token/sendTelepathy")

    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert telegram_api.expect_violations()[0].problems == (
        "method 'sendTelepathy' does not exist in the Bot API",
    )
    assert "any-token" in telegram_api.tokens_seen


async def test_multipart_uploads_are_recorded(telegram_api: TelegramApiDouble) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "5")
    form.add_field("document", b"%PDF-1.4", filename="brief.pdf", content_type="application/pdf")
    url = f"{telegram_api.base_url}{telegram_api.token}/sendDocument"

    status, body = await _post(url, data=form)

    assert status == 200
    document = body["result"]["document"]
    assert (document["file_name"], document["mime_type"]) == ("brief.pdf", "application/pdf")
    assert telegram_api.last("sendDocument").files["document"].data == b"%PDF-1.4"


async def test_injected_faults_and_override_handlers(telegram_api: TelegramApiDouble) -> None:
    url = f"{telegram_api.base_url}{telegram_api.token}/"
    telegram_api.fail_next("*", error_code=403, times=2)
    telegram_api.respond_with("getChat", lambda call: {"id": call.params["chat_id"], "type": "x"})

    first = await _post(url + "getMe")
    second = await _post(url + "sendChatAction", data={"chat_id": "5", "action": "typing"})
    third = await _post(url + "getChat", data={"chat_id": "5"})

    assert (
        first
        == second
        == (
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        )
    )
    assert third == (200, {"ok": True, "result": {"id": 5, "type": "x"}})


async def test_unimplemented_methods_fail_loudly(telegram_api: TelegramApiDouble) -> None:
    status, body = await _post(
        f"{telegram_api.base_url}{telegram_api.token}/sendPoll",
        data={"chat_id": "5", "question": "Q?", "options": '[{"text": "a"}, {"text": "b"}]'},
    )

    assert status == 501
    assert "no sendPoll" in body["description"]
    assert telegram_api.expect_violations()[0].problems == (
        "TelegramApiDouble does not implement sendPoll",
    )


async def test_webhook_blocks_get_updates(telegram_api: TelegramApiDouble) -> None:
    url = f"{telegram_api.base_url}{telegram_api.token}/"
    assert (await _post(url + "setWebhook", data={"url": "http://insecure"}))[0] == 400
    telegram_api.expect_violations()  # none: Telegram's own rule, not a spec violation
    await _post(url + "setWebhook", data={"url": "https://example.com/hook"})

    status, body = await _post(url + "getUpdates")
    info = (await _post(url + "getWebhookInfo"))[1]["result"]

    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
    assert info["url"] == "https://example.com/hook" and info["pending_update_count"] == 0


async def test_files_route_serves_uploads_and_404s_otherwise(
    telegram_api: TelegramApiDouble,
) -> None:
    file_id = telegram_api.register_file(b"data", suffix=".txt")
    url = f"{telegram_api.base_url}{telegram_api.token}/getFile"
    file = (await _post(url, data={"file_id": file_id}))[1]["result"]

    async with aiohttp.ClientSession() as session:
        base = f"{telegram_api.file_base_url}{telegram_api.token}/"
        async with session.get(base + file["file_path"]) as found:
            assert (found.status, await found.read()) == (200, b"data")
        async with session.get(base + "documents/missing.txt") as missing:
            assert missing.status == 404


def test_pushed_updates_are_checked_against_the_spec() -> None:
    double = TelegramApiDouble()
    bad = {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "from": {"id": 1, "is_bot": False},
        }
    }

    with pytest.raises(ValueError, match=r'field "Update\.message\.from\.first_name" is required'):
        double.push_update(bad)
    assert double.push_update(double.make_message_update(1, 1, "hi")) == 1
    assert double.push_update({"update_id": 10, **double.make_message_update(1, 1, "a")}) == 10
    assert double.push_update(double.make_message_update(1, 1, "b")) == 11

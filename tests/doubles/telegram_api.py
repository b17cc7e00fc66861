"""A Telegram Bot API test double: a real HTTP server on 127.0.0.1 that checks every request.

Point python-telegram-bot at it with `base_url=double.base_url` and
`base_file_url=double.file_base_url`. Each request is validated against the official spec
(`telegram_spec.validate_call`); an invalid one gets the 400 the real Telegram would send
and lands in `double.violations`, which the `telegram_api` fixture turns into a failure.

State is kept like Telegram keeps it: message ids count per chat (shared by the bot and the
user), edits change the stored message (and an edit without `reply_markup` removes the
inline keyboard, as on the real server), callback queries must be answered once, getUpdates
confirms updates by offset and long-polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from aiohttp.multipart import BodyPartReader

from tests.doubles.telegram_html import ParsedText
from tests.doubles.telegram_spec import (
    ObjectSpec,
    decode_params,
    load_spec,
    render_text,
    validate_call,
    validate_object,
)

DEFAULT_BOT_ID = 7000000001
JsonDict = dict[str, Any]
Handler = Callable[["RecordedCall"], Any]

# Updates Telegram withholds unless allowed_updates asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Fields of User that only getMe returns (a message's `from` never carries them).
_GET_ME_ONLY = {
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
_MEDIA_KINDS = ("photo", "video", "animation", "audio", "document", "voice", "live_photo")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


class ApiError(Exception):
    """An error reply; raise it from a `respond_with` handler to answer with an error."""

    def __init__(
        self, error_code: int, description: str, parameters: JsonDict | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part of a request."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class RecordedCall:
    """One request as the double understood it, and what it answered."""

    method: str  # the spec's spelling ("sendMessage") whatever case the client used
    params: JsonDict  # decoded: "123" -> 123, JSON strings -> dicts/lists
    files: dict[str, UploadedFile]
    token: str
    time: float
    status: int = 0
    response: JsonDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    def __str__(self) -> str:
        shown = json.dumps(self.params, ensure_ascii=False, default=str)
        if len(shown) > 300:
            shown = shown[:297] + "..."
        outcome = "ok" if self.ok else self.response.get("description", "?")
        return f"{self.method}({shown}) -> {self.status} {outcome}"


@dataclass(frozen=True)
class Violation:
    """A request the real Telegram would have rejected (or the double cannot serve)."""

    method: str
    problems: tuple[str, ...]
    params: JsonDict

    def __str__(self) -> str:
        shown = json.dumps(self.params, ensure_ascii=False, default=str)[:300]
        return f"{self.method}({shown}): " + "; ".join(self.problems)


@dataclass
class _Fault:
    error: ApiError
    remaining: int


@dataclass
class _StoredMessage:
    message: JsonDict
    from_bot: bool
    entities: list[JsonDict] = field(default_factory=list)  # compared by "not modified"


@dataclass
class _StoredFile:
    file_id: str
    unique_id: str
    data: bytes
    path: str


class _Pulse:
    """Wakes every waiter once per notify(); waiters re-check their condition after."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(seconds, 0))


class TelegramApiDouble:
    """The fake Bot API server. See the module docstring; use via the `telegram_api` fixture."""

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = "campaign_copilot_test_bot",
        bot_first_name: str = "Campaign Copilot",
        max_poll_wait: float = 1.0,
    ) -> None:
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        # Long polls return after at most this long even if the client asked for more,
        # so a test never waits on a poll the bot has already abandoned.
        self.max_poll_wait = max_poll_wait
        self.calls: list[RecordedCall] = []
        self.violations: list[Violation] = []
        self.tokens_seen: set[str] = set()
        self._consumed: set[int] = set()  # ids of calls already returned by wait_for
        self._calls_pulse = _Pulse()
        self._updates_pulse = _Pulse()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._stopping = False
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        # Race hunting (tests/e2e/harness.py `eventually`): hold each answer this long after
        # recording its call, so a test that reads what the bot does after a message it
        # awaited, rather than waiting for a later signal, fails every time instead of
        # once in a thousand runs. 0 (the default) in normal runs.
        self.answer_lag_s = float(os.environ.get("TELEGRAM_DOUBLE_ANSWER_LAG_S", "0"))
        self._overrides: dict[str, Handler] = {}
        self._method_handlers = self._build_handlers()
        self._reset_telegram_state()

    def _reset_telegram_state(self) -> None:
        self._next_update_id = 1
        self._pending_updates: list[JsonDict] = []
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._webhook: JsonDict = {"url": ""}
        self._users: dict[int, JsonDict] = {}
        self._chats: dict[int, JsonDict] = {}
        self._usernames: dict[str, int] = {}
        self._messages: dict[int, dict[int, _StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._media_groups = itertools.count(13_000_000_000_001)
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Serve on `port` (a free one by default: a Telegram that comes back takes its own)."""
        await asyncio.to_thread(load_spec)  # parse the spec off the event loop
        self._stopping = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        self._stopping = True
        self._updates_pulse.notify()  # release long polls: they answer []
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("TelegramApiDouble is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """TELEGRAM_API_BASE_URL: PTB appends `<token>/<method>`."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """TELEGRAM_FILE_BASE_URL: PTB appends `<token>/<file_path>`."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def token(self) -> str:
        """A realistic token for this bot (any token is accepted; see `tokens_seen`)."""
        return f"{self.bot_user['id']}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

    # -- inspection ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def last(self, method: str) -> RecordedCall:
        calls = self.calls_to(method)
        if not calls:
            raise AssertionError(f"no {method} call was made; calls: {self._recent_calls()}")
        return calls[-1]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (the deadline is this helper's whole point)
    ) -> RecordedCall:
        """The earliest matching call not yet returned by wait_for, waiting if needed.

        Consuming calls means consecutive `wait_for("sendMessage")` return successive
        messages. Calls are recorded once answered, so the double's state (messages_in)
        already reflects the call when this returns.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for call in self.calls:
                if id(call) in self._consumed or call.method.lower() != method.lower():
                    continue
                if predicate is None or predicate(call):
                    self._consumed.add(id(call))
                    return call
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"no {method} call{' matching the predicate' if predicate else ''} "
                    f"within {timeout}s; recent calls: {self._recent_calls()}"
                )
            await self._calls_pulse.wait(remaining)

    def _recent_calls(self, count: int = 10) -> str:
        if not self.calls:
            return "(none)"
        return "".join(f"\n  {call}" for call in self.calls[-count:])

    def messages_in(self, chat_id: int | str) -> list[JsonDict]:
        """The bot's messages in a chat as they are now (after edits, without deleted ones)."""
        chat = self._messages.get(self._resolve_chat_id(chat_id), {})
        return [
            copy.deepcopy(stored.message) for _, stored in sorted(chat.items()) if stored.from_bot
        ]

    def clear(self) -> None:
        """Forget recorded calls (not violations, and not chat state)."""
        self.calls.clear()
        self._consumed.clear()

    def expect_violations(self) -> list[Violation]:
        """Take the violations so far: the test means them and will assert on them."""
        taken = list(self.violations)
        self.violations.clear()
        return taken

    # -- behaviour control -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` valid calls of `method` ("*" for any) with an error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(error_code, description or _default_description(error_code, retry_after))
        error.parameters = parameters
        self._faults.setdefault(method.lower(), []).append(_Fault(error, times))

    def delay(self, method: str, seconds: float) -> None:
        """Make `method` ("*" for any) answer `seconds` late; 0 removes the delay."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def respond_with(self, method: str, handler: Handler) -> None:
        """Answer valid `method` calls with handler(call) (raise ApiError for an error)."""
        self._overrides[method.lower()] = handler

    def register_file(self, data: bytes, *, kind: str = "documents", suffix: str = "") -> str:
        """Put a file on the 'Telegram servers' and return its file_id."""
        return self._store_file(data, kind, suffix).file_id

    # -- feeding updates ---------------------------------------------------------------------

    def push_update(self, update: JsonDict) -> int:
        """Queue an update for getUpdates; assigns update_id if missing. Returns the id."""
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        problems = validate_object("Update", update)
        if problems:
            raise ValueError("the update is not a valid Telegram Update: " + "; ".join(problems))
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._learn_from_update(update)
        self._pending_updates.append(update)
        self._updates_pulse.notify()
        return int(update["update_id"])

    def make_message_update(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        chat_type: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """A user's text message; a leading /command gets its bot_command entity."""
        user = self._user(user_id, first_name, last_name, username, language_code)
        chat = self._chat_for_user(chat_id, user, chat_type)
        message: JsonDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities := _command_entities(text):
            message["entities"] = entities
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._reply_snapshot(chat["id"], reply_to_message_id)
        return {"message": message}

    def make_reply_update(
        self, chat_id: int, user_id: int, reply_to_message_id: int, text: str, **kwargs: Any
    ) -> JsonDict:
        """A user's message replying to one of the messages in the chat (e.g. a ForceReply)."""
        return self.make_message_update(
            chat_id, user_id, text, reply_to_message_id=reply_to_message_id, **kwargs
        )

    def make_callback_update(
        self,
        chat_id: int | str,
        user_id: int,
        message_id: int,
        data: str,
        *,
        first_name: str | None = None,
        username: str | None = None,
        check_button: bool = True,
    ) -> JsonDict:
        """A press on a button of the bot's message, carrying that message as last rendered."""
        stored = self._stored(chat_id, message_id)
        if stored is None or not stored.from_bot:
            raise LookupError(
                f"the bot has no message {message_id} in chat {chat_id}; its messages: "
                f"{[m['message_id'] for m in self.messages_in(chat_id)]}"
            )
        buttons = _callback_buttons(stored.message)
        if check_button and data not in buttons:
            raise AssertionError(
                f"message {message_id} has no button with callback_data={data!r}; it has {buttons}"
            )
        query: JsonDict = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id, first_name, None, username, "en"),
            "message": copy.deepcopy(stored.message),
            "chat_instance": _chat_instance(stored.message["chat"]["id"]),
            "data": data,
        }
        return {"callback_query": query}

    def make_reaction_count_update(
        self,
        chat_id: int | str,
        message_id: int,
        reactions: dict[str, int],
        *,
        date: int | None = None,
    ) -> JsonDict:
        """Anonymous reaction totals on a channel message (what an admin bot receives):
        emoji to total_count; "custom:<id>" is a custom emoji, "paid" a paid reaction."""
        chat = self._chat(self._resolve_chat_id(chat_id))
        counts = [
            {"type": _reaction_type(key), "total_count": total} for key, total in reactions.items()
        ]
        updated: JsonDict = {
            "chat": chat,
            "message_id": message_id,
            "date": int(time.time()) if date is None else date,
            "reactions": counts,
        }
        return {"message_reaction_count": updated}

    def _learn_from_update(self, update: JsonDict) -> None:
        """Remember users, chats, user messages and open queries the update introduces."""
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if key in update:
                self._remember_message(update[key], from_bot=False)
        if "callback_query" in update:
            query = update["callback_query"]
            self._open_callbacks.add(query["id"])
            self._users[query["from"]["id"]] = query["from"]

    def _remember_message(self, message: JsonDict, *, from_bot: bool) -> None:
        chat = message["chat"]
        self._chats[chat["id"]] = chat
        if chat.get("username"):
            self._usernames[chat["username"].lower()] = chat["id"]
        if "from" in message:
            self._users[message["from"]["id"]] = message["from"]
        chat_messages = self._messages.setdefault(chat["id"], {})
        chat_messages[message["message_id"]] = _StoredMessage(message, from_bot)
        last = self._last_message_id.get(chat["id"], 0)
        self._last_message_id[chat["id"]] = max(last, message["message_id"])

    def _user(
        self,
        user_id: int,
        first_name: str | None,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> JsonDict:
        user: JsonDict = dict(self._users.get(user_id, {"id": user_id, "is_bot": False}))
        user["first_name"] = first_name or user.get("first_name") or "Test"
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        return user

    def _chat_for_user(self, chat_id: int, user: JsonDict, chat_type: str | None) -> JsonDict:
        if chat_type is None and chat_id in self._chats:
            return dict(self._chats[chat_id])
        kind = chat_type or ("private" if chat_id > 0 else "supergroup")
        if kind == "private":
            return {"id": chat_id, "type": "private", **_private_chat_names(user)}
        return {"id": chat_id, "type": kind, "title": f"Test {kind} {chat_id}"}

    def _reply_snapshot(self, chat_id: int | str, message_id: int) -> JsonDict:
        stored = self._stored(chat_id, message_id)
        if stored is None:
            raise LookupError(f"no message {message_id} in chat {chat_id} to reply to")
        snapshot = copy.deepcopy(stored.message)
        snapshot.pop("reply_to_message", None)  # Telegram nests replies one level only
        return snapshot

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        token, raw_method = request.match_info["token"], request.match_info["method"]
        self.tokens_seen.add(token)
        spec = load_spec().method(raw_method)
        call = RecordedCall(
            method=spec.name if spec else raw_method,
            params={},
            files={},
            token=token,
            time=time.time(),
        )
        try:
            raw, call.files = await self._read_request(request, call)
            call.params = decode_params(spec, raw) if spec else raw
            result = await self._answer(call, spec, raw)
            call.status, call.response = 200, {"ok": True, "result": result}
        except ApiError as error:
            call.status, call.response = error.error_code, error.body()
        self.calls.append(call)
        self._calls_pulse.notify()
        if self.answer_lag_s and call.method != "getUpdates":
            await asyncio.sleep(self.answer_lag_s)
        return web.json_response(call.response, status=call.status)

    async def _read_request(
        self, request: web.Request, call: RecordedCall
    ) -> tuple[JsonDict, dict[str, UploadedFile]]:
        try:
            return await _read_params(request)
        except ApiError as error:
            self._violate(call, error.description)  # an unreadable body is a client bug
            raise

    async def _answer(self, call: RecordedCall, spec: ObjectSpec | None, raw: JsonDict) -> Any:
        if spec is None:
            self._violate(call, f"method {call.method!r} does not exist in the Bot API")
            raise ApiError(404, "Not Found: method not found")
        delay = self._delays.get(spec.name.lower()) or self._delays.get("*", 0.0)
        if delay:
            await asyncio.sleep(delay)
        problems = validate_call(spec.name, raw, uploads=call.files.keys())
        if problems:
            self._violate(call, *problems)
            raise bad_request(problems[0])
        self._raise_injected_fault(spec.name.lower())
        override = self._overrides.get(spec.name.lower())
        if override is not None:
            return override(call)
        handler = self._method_handlers.get(spec.name.lower())
        if handler is not None:
            return await handler(call)
        if spec.returns == ("Boolean",):
            return True  # setters the double need not model: accepted like Telegram would
        self._violate(call, f"TelegramApiDouble does not implement {spec.name}")
        raise ApiError(501, f"Not Implemented: the test double has no {spec.name}")

    def _violate(self, call: RecordedCall, *problems: str) -> None:
        self.violations.append(Violation(call.method, problems, call.params))

    def _raise_injected_fault(self, method: str) -> None:
        for key in (method, "*"):
            faults = self._faults.get(key)
            if faults:
                fault = faults[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.pop(0)
                raise fault.error

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # -- method handlers -----------------------------------------------------------------------

    def _build_handlers(self) -> dict[str, Callable[[RecordedCall], Awaitable[Any]]]:
        sync: dict[str, Callable[[RecordedCall], Any]] = {
            "getme": lambda _call: {**self.bot_user, **_GET_ME_ONLY},
            "sendmessage": self._send_message,
            "sendphoto": lambda call: self._send_media(call, "photo"),
            "senddocument": lambda call: self._send_media(call, "document"),
            "sendmediagroup": self._send_media_group,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": lambda _call: True,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getfile": self._get_file,
        }
        handlers = {name: _as_async(func) for name, func in sync.items()}
        handlers["getupdates"] = self._get_updates
        return handlers

    def _send_message(self, call: RecordedCall) -> JsonDict:
        params = call.params
        message = self._new_message(params)
        parsed = render_text(params["text"], params.get("parse_mode"))
        message["text"] = parsed.text
        return self._store_sent(message, parsed)

    def _send_media(self, call: RecordedCall, kind: str) -> JsonDict:
        params = call.params
        message = self._new_message(params)
        stored = self._resolve_file(params.get(kind), call.files.get(kind), call.files, kind)
        message[kind] = _media_object(kind, stored, call.files.get(kind))
        return self._store_sent(message, self._apply_caption(message, params))

    def _send_media_group(self, call: RecordedCall) -> list[JsonDict]:
        params = call.params
        group_id = str(next(self._media_groups))
        sent: list[JsonDict] = []
        for item in params["media"]:
            kind = item["type"]
            upload = _attached(item["media"], call.files)
            stored = self._resolve_file(item["media"], upload, call.files, kind)
            message = self._new_message(params)
            message["media_group_id"] = group_id
            message[kind] = _media_object(kind, stored, upload)
            sent.append(self._store_sent(message, self._apply_caption(message, item)))
        return sent

    def _edit_message_text(self, call: RecordedCall) -> JsonDict | bool:
        params = call.params
        if "inline_message_id" in params:
            return True
        stored = self._message_to_edit(params)
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        parsed = render_text(params["text"], params.get("parse_mode"))
        return self._apply_edit(stored, "text", parsed, params.get("reply_markup"))

    def _edit_message_caption(self, call: RecordedCall) -> JsonDict | bool:
        params = call.params
        if "inline_message_id" in params:
            return True
        stored = self._message_to_edit(params)
        if not any(kind in stored.message for kind in _MEDIA_KINDS):
            raise bad_request("there is no caption in the message to edit")
        parsed = render_text(params.get("caption", ""), params.get("parse_mode"))
        return self._apply_edit(stored, "caption", parsed, params.get("reply_markup"))

    def _edit_message_reply_markup(self, call: RecordedCall) -> JsonDict | bool:
        params = call.params
        if "inline_message_id" in params:
            return True
        stored = self._message_to_edit(params)
        key = "text" if "text" in stored.message else "caption"
        current = ParsedText(stored.message.get(key, ""), stored.entities)
        return self._apply_edit(stored, key, current, params.get("reply_markup"))

    def _delete_message(self, call: RecordedCall) -> bool:
        chat_id = self._resolve_chat_id(call.params["chat_id"])
        if self._messages.get(chat_id, {}).pop(call.params["message_id"], None) is None:
            raise bad_request("message to delete not found")
        return True

    def _answer_callback_query(self, call: RecordedCall) -> bool:
        query_id = call.params["callback_query_id"]
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        return True

    def _set_my_commands(self, call: RecordedCall) -> bool:
        self._commands[_commands_key(call.params)] = call.params["commands"]
        return True

    def _get_my_commands(self, call: RecordedCall) -> list[JsonDict]:
        return copy.deepcopy(self._commands.get(_commands_key(call.params), []))

    def _delete_my_commands(self, call: RecordedCall) -> bool:
        self._commands.pop(_commands_key(call.params), None)
        return True

    def _set_webhook(self, call: RecordedCall) -> bool:
        url = call.params["url"]
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        keep = ("url", "max_connections", "allowed_updates", "ip_address")
        self._webhook = {k: call.params[k] for k in keep if k in call.params}
        return True

    def _delete_webhook(self, call: RecordedCall) -> bool:
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        self._webhook = {"url": ""}
        return True

    def _get_webhook_info(self, _call: RecordedCall) -> JsonDict:
        return {
            **self._webhook,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }

    def _get_file(self, call: RecordedCall) -> JsonDict:
        stored = self._files.get(call.params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    async def _get_updates(self, call: RecordedCall) -> list[JsonDict]:
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        params = call.params
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        self._confirm_updates(int(params.get("offset", 0)))
        # A newer poll ends the one in progress, as on the real server.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_pulse.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(params.get("timeout", 0)), self.max_poll_wait)
        while True:
            updates = self._deliverable(int(params.get("limit", 100)))
            if updates or self._stopping or loop.time() >= deadline:
                return updates
            await self._updates_pulse.wait(deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(409, _POLL_CONFLICT)

    # -- state helpers ---------------------------------------------------------------------------

    def _confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]
        elif offset < 0:
            self._pending_updates = self._pending_updates[offset:]

    def _deliverable(self, limit: int) -> list[JsonDict]:
        # Telegram drops (does not keep) updates of types the bot did not subscribe to.
        self._pending_updates = [u for u in self._pending_updates if self._wanted(u)]
        return copy.deepcopy(self._pending_updates[:limit])

    def _wanted(self, update: JsonDict) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _OPT_IN_UPDATES

    def _resolve_chat_id(self, chat_id: int | str) -> int:
        if isinstance(chat_id, int):
            return chat_id
        username = chat_id.removeprefix("@").lower()
        if username not in self._usernames:
            # A public channel the double has not seen: give it a stable channel id.
            channel_id = -1_001_000_000_000 - len(self._usernames) - 1
            self._usernames[username] = channel_id
            self._chats[channel_id] = {
                "id": channel_id,
                "type": "channel",
                "title": f"@{chat_id.removeprefix('@')}",
                "username": chat_id.removeprefix("@"),
            }
        return self._usernames[username]

    def _chat(self, chat_id: int) -> JsonDict:
        if chat_id not in self._chats:
            if chat_id > 0:
                user = self._users.get(chat_id, {"first_name": "Test"})
                self._chats[chat_id] = {
                    "id": chat_id,
                    "type": "private",
                    **_private_chat_names(user),
                }
            else:
                self._chats[chat_id] = {
                    "id": chat_id,
                    "type": "channel",
                    "title": f"Channel {chat_id}",
                }
        return dict(self._chats[chat_id])

    def _next_message_id(self, chat_id: int) -> int:
        # One counter per chat, shared by the bot and the user, as in private chats.
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _stored(self, chat_id: int | str, message_id: int) -> _StoredMessage | None:
        return self._messages.get(self._resolve_chat_id(chat_id), {}).get(message_id)

    def _new_message(self, params: JsonDict) -> JsonDict:
        chat = self._chat(self._resolve_chat_id(params["chat_id"]))
        reply_to = self._replied_message(chat["id"], params.get("reply_parameters"))
        message: JsonDict = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat  # channel posts carry no `from`
        else:
            message["from"] = dict(self.bot_user)
        if params.get("protect_content"):
            message["has_protected_content"] = True
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # only inline keyboards belong to the message
        return message

    def _replied_message(self, chat_id: int, reply: JsonDict | None) -> JsonDict | None:
        if reply is None:
            return None
        if self._stored(reply.get("chat_id", chat_id), reply["message_id"]) is not None:
            return self._reply_snapshot(reply.get("chat_id", chat_id), reply["message_id"])
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _apply_caption(self, message: JsonDict, source: JsonDict) -> ParsedText:
        parsed = render_text(source.get("caption", ""), source.get("parse_mode"))
        if parsed.text:
            message["caption"] = parsed.text
        return parsed

    def _store_sent(self, message: JsonDict, parsed: ParsedText) -> JsonDict:
        if parsed.entities:
            key = "entities" if "text" in message else "caption_entities"
            message[key] = parsed.entities
        self._remember_message(message, from_bot=True)
        stored = self._messages[message["chat"]["id"]][message["message_id"]]
        stored.entities = parsed.entities
        return copy.deepcopy(message)

    def _message_to_edit(self, params: JsonDict) -> _StoredMessage:
        stored = self._stored(params["chat_id"], params["message_id"])
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(
        self, stored: _StoredMessage, key: str, parsed: ParsedText, markup: JsonDict | None
    ) -> JsonDict:
        message = stored.message
        # An edit without reply_markup removes the inline keyboard, as on the real server.
        new_markup = markup if markup and markup.get("inline_keyboard") else None
        if (
            message.get(key, "") == parsed.text
            and stored.entities == parsed.entities
            and message.get("reply_markup") == new_markup
        ):
            raise bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        entities_key = "entities" if key == "text" else "caption_entities"
        _set_or_drop(message, key, parsed.text)
        _set_or_drop(message, entities_key, parsed.entities)
        _set_or_drop(message, "reply_markup", new_markup)
        message["edit_date"] = int(time.time())
        stored.entities = parsed.entities
        return copy.deepcopy(message)

    def _resolve_file(
        self,
        reference: object,
        upload: UploadedFile | None,
        files: dict[str, UploadedFile],
        kind: str,
    ) -> _StoredFile:
        """The stored file a media parameter names: an upload, a file_id or a URL."""
        upload = upload or _attached(reference, files)
        if upload is not None:
            return self._store_file(upload.data, f"{kind}s", _suffix(upload))
        if isinstance(reference, str) and reference in self._files:
            return self._files[reference]
        if isinstance(reference, str) and reference.startswith(("http://", "https://")):
            return self._store_file(b"", f"{kind}s", "")  # Telegram would fetch the URL
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_file(self, data: bytes, kind: str, suffix: str) -> _StoredFile:
        number = next(self._file_counter)
        stored = _StoredFile(
            file_id=f"BQACAgIAAxk-{kind}-{number:06d}",
            unique_id=f"AgAD{number:06d}",
            data=data,
            path=f"{kind}/file_{number}{suffix}",
        )
        self._files[stored.file_id] = stored
        return stored


# -- module helpers ------------------------------------------------------------------------------


def _as_async(func: Callable[[RecordedCall], Any]) -> Callable[[RecordedCall], Awaitable[Any]]:
    async def run(call: RecordedCall) -> Any:
        return func(call)

    return run


async def _read_params(request: web.Request) -> tuple[JsonDict, dict[str, UploadedFile]]:
    """Query string plus body: JSON, urlencoded form, or multipart with file parts."""
    params: JsonDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await _json_body(request)
        params.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is None:
                params[part.name] = await part.text()
            else:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                data = bytes(await part.read(decode=True))
                files[part.name] = UploadedFile(part.name, part.filename, content_type, data)
    elif request.body_exists:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params, files


async def _json_body(request: web.Request) -> JsonDict:
    try:
        body = await request.json()
    except ValueError as exc:
        raise bad_request(f"can't parse JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise bad_request("the JSON body must be an object")
    return body


def _default_description(error_code: int, retry_after: int | None) -> str:
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after}"
    known = {
        400: "Bad Request: injected failure",
        403: "Forbidden: bot was blocked by the user",
        409: _POLL_CONFLICT,
        502: "Bad Gateway",
    }
    if error_code in known:
        return known[error_code]
    try:
        return HTTPStatus(error_code).phrase
    except ValueError:
        return f"Error {error_code}"


def _reaction_type(key: str) -> JsonDict:
    if key == "paid":
        return {"type": "paid"}
    if key.startswith("custom:"):
        return {"type": "custom_emoji", "custom_emoji_id": key.removeprefix("custom:")}
    return {"type": "emoji", "emoji": key}


def _command_entities(text: str) -> list[JsonDict]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


def _chat_instance(chat_id: int) -> str:
    # Telegram sends a signed 64-bit number, stable per chat; any stable mapping will do.
    return str(-((abs(chat_id) * 2_654_435_761) % 2**62))


def _private_chat_names(user: JsonDict) -> JsonDict:
    return {k: user[k] for k in ("first_name", "last_name", "username") if k in user}


def _callback_buttons(message: JsonDict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row if "callback_data" in button]


def _commands_key(params: JsonDict) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get("language_code", "")


def _attached(reference: object, files: dict[str, UploadedFile]) -> UploadedFile | None:
    if isinstance(reference, str) and reference.startswith("attach://"):
        return files.get(reference.removeprefix("attach://"))
    return None


def _suffix(upload: UploadedFile) -> str:
    name = upload.filename or ""
    return name[name.rfind(".") :] if "." in name else ""


def _media_object(kind: str, stored: _StoredFile, upload: UploadedFile | None) -> Any:
    base: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_size": len(stored.data),
    }
    if kind == "photo":
        # Telegram returns several sizes; the thumbnail has its own ids.
        thumb = {**base, "file_id": base["file_id"] + "-s", "width": 90, "height": 90}
        thumb["file_unique_id"] = base["file_unique_id"] + "s"
        return [thumb, {**base, "width": 1280, "height": 1280}]
    if kind in ("video", "animation", "live_photo"):
        return {**base, "width": 1280, "height": 720, "duration": 1}
    if kind in ("audio", "voice"):
        return {**base, "duration": 1}
    document = dict(base)
    if upload is not None:
        document["mime_type"] = upload.content_type
        if upload.filename:
            document["file_name"] = upload.filename
    return document


def _set_or_drop(message: JsonDict, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)

"""initData is checked as Telegram's Mini Apps docs say: the WebAppData HMAC over the sorted
fields, and auth_date at most 24 h old."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from bot.miniapp.init_data import InitDataRejected, WebAppUser, secret_key, verify
from tests.doubles.init_data import sign_init_data

TOKEN = "7000000001:AAH-example-token"
NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
KEY = secret_key(TOKEN)
ANN = {
    "id": 1001,
    "first_name": "Ann",
    "last_name": "Lee",
    "username": "ann",
    "language_code": "en",
}


def at(age: timedelta) -> int:
    return int((NOW - age).timestamp())


def test_a_string_signed_by_hand_per_the_docs_is_accepted() -> None:
    """Built without the double: data-check-string, then HMAC(HMAC("WebAppData", token))."""
    user = '{"id":1001,"first_name":"Zoë","username":"zoe"}'
    fields = {"auth_date": str(at(timedelta(minutes=1))), "query_id": "AAHdF6IQ", "user": user}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    raw = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()) + f"&hash={digest}"
    assert verify(raw, KEY, now=NOW) == WebAppUser(1001, "Zoë", "zoe")


def test_the_test_double_signs_what_verify_accepts_with_extra_fields() -> None:
    raw = sign_init_data(
        TOKEN, ANN, auth_date=at(timedelta(hours=23)),
        extra={"chat_type": "sender", "chat_instance": "-42", "signature": "abc"},
    )  # fmt: skip
    assert verify(raw, KEY, now=NOW) == WebAppUser(1001, "Ann", "ann")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "missing"),
        ("user=%7B%7D&hash=00", "not signed"),
        (sign_init_data("1:OTHER", ANN, auth_date=at(timedelta(0))), "not signed"),
        (sign_init_data(TOKEN, ANN, auth_date=at(timedelta(hours=24, seconds=1))), "too old"),
        (sign_init_data(TOKEN, ANN, auth_date=at(-timedelta(minutes=10))), "future"),
        (sign_init_data(TOKEN, {"first_name": "No id"}, auth_date=at(timedelta(0))), "no user"),
        (sign_init_data(TOKEN, {"id": "1001"}, auth_date=at(timedelta(0))), "no user"),
        ("a=1&a=2&hash=" + "0" * 64, "malformed"),
        ("x" * 9000, "missing"),
    ],
)
def test_bad_init_data_is_refused_with_a_reason(raw: str, says: str) -> None:
    with pytest.raises(InitDataRejected, match=says):
        verify(raw, KEY, now=NOW)


def test_a_changed_field_breaks_the_signature() -> None:
    raw = sign_init_data(TOKEN, ANN, auth_date=at(timedelta(0)))
    with pytest.raises(InitDataRejected, match="not signed"):
        verify(raw.replace("%22Ann%22", "%22Eve%22"), KEY, now=NOW)
    with pytest.raises(InitDataRejected, match="not signed"):
        verify(raw + "&is_admin=true", KEY, now=NOW)


def test_the_refusal_never_echoes_the_data() -> None:
    raw = sign_init_data("1:OTHER", ANN, auth_date=at(timedelta(0)))
    with pytest.raises(InitDataRejected) as refused:
        verify(raw, KEY, now=NOW)
    assert "ann" not in str(refused.value).lower()

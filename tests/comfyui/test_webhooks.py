"""Standard Webhooks signing and verification (core/standard_webhooks.py)."""

from __future__ import annotations

import base64

import pytest

from core.standard_webhooks import (
    SignatureInvalid,
    TimestampStale,
    sign,
    signed_headers,
    verify,
)

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"an older key, rotated out soon!!").decode()
NOW = 1_800_000_000
BODY = b'{"type":"pipeline.run.completed","data":{"prompt_id":"p1"}}'


def test_matches_the_standard_webhooks_reference_vector() -> None:
    # The example in the spec's reference libraries (standard-webhooks, python/tests).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'

    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize(
    ("headers", "error", "message"),
    [
        ({}, SignatureInvalid, "Missing webhook header"),
        ({"webhook-id": "m1", "webhook-timestamp": str(NOW)}, SignatureInvalid, "signature"),
        (
            {"webhook-id": "m1", "webhook-timestamp": "soon", "webhook-signature": "v1,xx"},
            SignatureInvalid,
            "not a number",
        ),
        (
            {"webhook-id": "m1", "webhook-timestamp": str(NOW), "webhook-signature": "v1a,xx"},
            SignatureInvalid,
            "no v1 signature",
        ),
        (
            {
                "webhook-id": "m1",
                "webhook-timestamp": str(NOW),
                "webhook-signature": "v1,c2lnbmVkIGJ5IHNvbWVib2R5IGVsc2U=",
            },
            SignatureInvalid,
            "does not match",
        ),
    ],
)
def test_bad_or_missing_headers_are_refused(
    headers: dict[str, str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        verify(SECRET, headers, BODY, now=NOW)


def test_a_good_signature_passes_with_any_header_case() -> None:
    headers = signed_headers(SECRET, "msg_1", NOW, BODY)
    shouted = {name.upper(): value for name, value in headers.items()}

    verify(SECRET, headers, BODY, now=NOW)
    verify(SECRET, shouted, BODY, now=NOW)


@pytest.mark.parametrize(
    ("change", "value"),
    [("body", BODY + b" "), ("id", "msg_2"), ("timestamp", NOW + 1), ("secret", OLD_SECRET)],
)
def test_any_change_breaks_the_signature(change: str, value: object) -> None:
    headers = signed_headers(SECRET, "msg_1", NOW, BODY)
    body, secret = BODY, SECRET
    if change == "body":
        body = value  # type: ignore[assignment]
    elif change == "id":
        headers["webhook-id"] = str(value)
    elif change == "timestamp":
        headers["webhook-timestamp"] = str(value)
    else:
        secret = str(value)

    with pytest.raises(SignatureInvalid):
        verify(secret, headers, body, now=NOW)


@pytest.mark.parametrize(
    ("sent_at", "message"),
    [(NOW - 301, "too old"), (NOW + 301, "too far in the future")],
)
def test_stale_timestamps_are_refused(sent_at: int, message: str) -> None:
    headers = signed_headers(SECRET, "msg_1", sent_at, BODY)

    with pytest.raises(TimestampStale, match=message):
        verify(SECRET, headers, BODY, now=NOW)


@pytest.mark.parametrize("sent_at", [NOW - 300, NOW + 300])
def test_the_edges_of_the_tolerance_pass(sent_at: int) -> None:
    verify(SECRET, signed_headers(SECRET, "msg_1", sent_at, BODY), BODY, now=NOW)


def test_a_forged_old_message_is_a_signature_problem_not_a_timestamp_one() -> None:
    headers = signed_headers(OLD_SECRET, "msg_1", NOW - 3600, BODY)

    with pytest.raises(SignatureInvalid):
        verify(SECRET, headers, BODY, now=NOW)


def test_a_sender_rotating_keys_may_send_two_signatures() -> None:
    headers = signed_headers(OLD_SECRET, "msg_1", NOW, BODY)
    headers["webhook-signature"] += " " + sign(SECRET, "msg_1", NOW, BODY)

    verify(SECRET, headers, BODY, now=NOW)
    verify(OLD_SECRET, headers, BODY, now=NOW)


def test_a_verifier_may_accept_old_and_new_secrets() -> None:
    from_old = signed_headers(OLD_SECRET, "msg_1", NOW, BODY)
    from_new = signed_headers(SECRET, "msg_2", NOW, BODY)
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()

    verify([OLD_SECRET, SECRET], from_old, BODY, now=NOW)
    verify([OLD_SECRET, SECRET], from_new, BODY, now=NOW)
    with pytest.raises(SignatureInvalid):
        verify([other], from_new, BODY, now=NOW)


@pytest.mark.parametrize(
    ("secret", "message"), [("whsec_not base64!", "not valid base64"), ("whsec_", "empty")]
)
def test_a_broken_secret_is_a_configuration_error(secret: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sign(secret, "m", NOW, BODY)
    with pytest.raises(ValueError, match="at least one secret"):
        verify([], {}, BODY, now=NOW)

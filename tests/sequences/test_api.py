"""POST/GET /api/sequences: the design's example body as it is, and every 422."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from tests.design_examples import design_json
from tests.sequences.conftest import BERLIN, Api


def example() -> dict[str, Any]:
    body: dict[str, Any] = design_json("email_sequences/request.json")
    return body


async def test_the_designs_example_is_created_with_its_planned_send_times(api: Api) -> None:
    status, body = await api.post("/api/sequences", example())
    assert status == 201, body
    assert body["name"] == "Product Launch Series"
    assert (body["schedule_type"], body["weekly_emails"], body["weekly_days"]) == (
        "weekly", 2, [1, 3, 5],
    )  # fmt: skip
    assert body["ai_agent_id"] == "openai/gpt-4"
    assert body["recipient_emails"] == ["user@example.com"]
    assert body["schedule"]["summary"] == (
        "2 emails a week, taking turns on Mon, Wed, Fri, at 09:00 Europe/Berlin, for 3 months"
    )
    times = [datetime.fromisoformat(t) for t in body["planned_send_times"]]
    # Created Wednesday 6 Jan 2027; starts the next day, Thursday 7 Jan, up to 7 Apr.
    assert times[0].date().isoformat() == "2027-01-11"  # week 1's Mon/Wed are past: week 2
    assert {(t.hour, t.minute) for t in times} == {(9, 0)}
    assert all(t.utcoffset() == t.astimezone(BERLIN).utcoffset() for t in times)
    assert len(times) == body["email_count"] == 25
    assert [e["structure"] for e in body["emails"][:5]] == [
        "informational", "promotional", "story", "direct", "informational",
    ]  # fmt: skip
    assert {e["status"] for e in body["emails"]} == {"planned"}


async def test_get_lists_and_shows_it(api: Api) -> None:
    _, created = await api.post("/api/sequences", example())
    status, listed = await api.get("/api/sequences")
    assert status == 200
    assert [s["id"] for s in listed["sequences"]] == [created["id"]]
    status, shown = await api.get(f"/api/sequences/{created['id']}")
    assert status == 200
    assert shown["planned_send_times"] == created["planned_send_times"]
    assert shown["recipients"][0]["consent_source"].startswith("api")
    assert (await api.get("/api/sequences/999"))[0] == 404


async def test_every_problem_is_one_line(api: Api) -> None:
    body = example()
    body.update(
        name=" ", weekly_emails=4, weekly_days=[1, 3, 9], total_months=0,
        recipient_emails=["ok@example.com", "bob@", "x\r\nBcc: evil@example.com"], extra=1,
    )  # fmt: skip
    status, answer = await api.post("/api/sequences", body)
    assert status == 422
    assert answer["error"] == "Validation failed"
    assert answer["details"] == [
        "name: cannot be blank",
        "Weekly day #3: must be at most 7",
        "total_months: must be at least 1",
        "extra: is not a known field",
        "Recipient #2: 'bob@' is not an email address",
        "Recipient #3: 'x\\r\\nBcc: evil@example.com' is not an email address",
    ]


async def test_schedule_rules(api: Api) -> None:
    body = example() | {"weekly_emails": 4}
    _, answer = await api.post("/api/sequences", body)
    assert answer["details"] == [
        "body: weekly_emails is 4 but weekly_days lists 3 days: list at least 4 days"
    ]
    daily = example() | {"schedule_type": "daily"}
    _, answer = await api.post("/api/sequences", daily)
    assert answer["details"][0].startswith("body: weekly_emails and weekly_days are for")
    _, answer = await api.post("/api/sequences", example() | {"schedule_type": "monthly"})
    assert answer["details"] == ["schedule_type: must be one of: daily, weekly"]
    _, answer = await api.post("/api/sequences", example() | {"start_date": "2020-01-01"})
    assert answer["details"] == ["start_date: 2020-01-01 is in the past; today is 2027-01-06"]


async def test_a_model_the_gateway_cannot_use_is_refused(api: Api) -> None:
    status, answer = await api.post("/api/sequences", example() | {"ai_agent_id": "nosuch"})
    assert status == 422
    assert answer["details"][0].startswith("ai_agent_id: 'nosuch' is not a model litellm can call")
    _, listed = await api.get("/api/sequences")
    assert listed["sequences"] == []  # nothing stored


async def test_bad_json_and_missing_fields(api: Api) -> None:
    response = await api.client.post(
        "/api/sequences", data=b"{", headers={"Content-Type": "application/json", **_auth()}
    )
    assert response.status == 422
    assert (await response.json())["details"][0].startswith("body: is not valid JSON")
    _, answer = await api.post("/api/sequences", {})
    assert answer["details"] == [
        "name: is required", "schedule_type: is required", "total_months: is required",
        "recipient_emails: is required",
    ]  # fmt: skip


async def test_an_idempotent_retry_creates_one_sequence(api: Api) -> None:
    key = {"Idempotency-Key": "launch-1"}
    first = await api.post("/api/sequences", example(), **key)
    again = await api.post("/api/sequences", copy.deepcopy(example()), **key)
    assert first == again
    _, listed = await api.get("/api/sequences")
    assert len(listed["sequences"]) == 1


async def test_duplicate_addresses_are_one_recipient(api: Api) -> None:
    body = example() | {"recipient_emails": ["A@Example.com", " a@example.com", "b@example.com"]}
    status, answer = await api.post("/api/sequences", body)
    assert status == 201
    assert answer["recipient_emails"] == ["a@example.com", "b@example.com"]
    assert answer["notes"] == ["1 duplicate address was merged"]


def _auth() -> dict[str, str]:
    from tests.sequences.conftest import AUTH

    return AUTH

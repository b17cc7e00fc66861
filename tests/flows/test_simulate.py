"""The Try it simulator: the customer's actions replayed, the messages in order with the
waits, the decision points it stops at, and where it ends."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.flows.checks import check_flow
from core.flows.models import Flow
from core.flows.simulate import Decision, Option, elapsed_text, simulate
from tests.flows.samples import step, winback

VIP: dict[str, str | float | bool] = {"total_spent": 800, "first_name": "Ann"}


def flow_of(raw: dict[str, object] | None = None) -> Flow:
    result = check_flow(raw or winback())
    assert result.valid and result.flow is not None, result.problems
    return result.flow


def test_no_actions_stops_at_the_first_decision() -> None:
    sim = simulate(flow_of(), customer=VIP)
    assert sim.outcome == "waiting"
    assert sim.pending == Decision(
        "answer",
        "What does the customer answer?",
        (
            Option("yes", 'Replies "YES"'),
            Option("no", 'Replies "NO"'),
            Option("ignore", "Ignores (2 days)"),
        ),
    )
    assert [(m.step_id, m.text, m.elapsed) for m in sim.messages] == [
        (
            "vip-welcome",
            "Hi Ann, we miss you! As a VIP take 20% off with SAVE15NOW. Reply STOP to opt out.",
            timedelta(0),
        ),
        (
            "ask",
            "New arrivals are in at Green Leaf Shop. Want a look? Reply YES or NO.",
            timedelta(days=1),
        ),
    ]


def test_replies_yes_picks_a_product_and_buys() -> None:
    sim = simulate(flow_of(), ["yes", "2", "buy"], customer=VIP)
    assert sim.outcome == "ended" and sim.ended_at == "end" and sim.pending is None
    assert [m.step_id for m in sim.messages] == ["vip-welcome", "ask", "picks", "thanks"]
    assert sim.messages[-1].text == "Thank you! Order 100234 is on its way."
    kinds = [(line.kind, line.text) for line in sim.lines if line.kind != "message"]
    assert kinds == [
        ("note", "Within the limit (pass 1, limit 1)"),
        ("note", "Segment: goes to 'vip'"),
        ("note", "A/B test: variant 'now' (50 %)"),
        ("wait", "Waits 1 day"),
        ("note", "Within the limit (1 sent in 1 week, limit 3)"),
        ("customer", 'Replies "YES"'),
        ("customer", 'Replies "2" (Gift Box)'),
        ("note", "Order placed (product choice)"),
    ]


def test_ignoring_shows_the_waits_in_order() -> None:
    sim = simulate(flow_of(), ["ignore", "ignore"])
    assert sim.outcome == "ended"
    assert [(m.step_id, elapsed_text(m.elapsed)) for m in sim.messages] == [
        ("welcome", "at once"),
        ("ask", "+1 day"),
        ("nudge", "+3 days"),
    ]
    waits = [line.text for line in sim.lines if line.kind == "wait"]
    assert waits == ["Waits 1 day", "No answer for 2 days", "No answer for 1 day"]
    assert sim.lines[-1].text == "Split: no branch matches, the default path"


def test_a_failed_payment_leads_to_the_cart_offer() -> None:
    sim = simulate(flow_of(), ["no"], customer={"orders_count": 5})
    assert sim.lines[-1].text == "Split: goes to 'regular'"
    sim = simulate(flow_of(), ["yes", "1", "fail"])
    assert sim.pending is not None and sim.pending.step_id == "offer"
    assert [o.label for o in sim.pending.options] == ["Buys", "Doesn't buy (1 day)"]
    assert sim.messages[-1].text == (
        "Your order didn't go through. Finish it here: https://shop.example/c/ab12"
    )
    done = simulate(flow_of(), ["yes", "1", "fail", "buy"])
    assert [m.step_id for m in done.messages][-2:] == ["offer", "thanks"]


def test_an_unknown_action_counts_as_ignoring() -> None:
    assert simulate(flow_of(), ["maybe"]).lines == simulate(flow_of(), ["ignore"]).lines


def test_replay_is_deterministic() -> None:
    flow = flow_of()
    assert simulate(flow, ["yes", "1"]) == simulate(flow, ["yes", "1"])


def test_schedule_uses_the_simulated_clock() -> None:
    raw = winback()
    step(raw, "ab")["variants"] = [
        {"label": "now", "share": 0},
        {"label": "office-hours", "share": 100},
    ]
    monday_morning = simulate(flow_of(raw))
    assert "Schedule: goes to 'office'" in [line.text for line in monday_morning.lines]
    sunday = simulate(flow_of(raw), start=datetime(2026, 1, 4, 10, 0))
    assert "Schedule: no branch matches, the default path" in [line.text for line in sunday.lines]


def test_limits_count_the_customers_own_passes() -> None:
    raw = winback()
    # After the thank-you the customer goes round again, a week later.
    pause = {"id": "later", "type": "delay", "duration": {"value": 1, "unit": "weeks"}}
    raw["steps"].insert(-1, pause | {"events": [{"type": "next", "nextStepID": "once"}]})
    step(raw, "thanks")["events"][0]["nextStepID"] = "later"
    sim = simulate(flow_of(raw), ["yes", "1", "buy"])
    assert sim.outcome == "ended"
    assert sim.lines[-1].text == "Over the limit (pass 2, limit 1)"


def test_an_endless_paced_loop_stops() -> None:
    raw = winback()
    pause = {"id": "later", "type": "delay", "duration": {"value": 1, "unit": "days"}}
    raw["steps"].insert(-1, pause | {"events": [{"type": "next", "nextStepID": "thanks"}]})
    step(raw, "thanks")["events"][0]["nextStepID"] = "later"
    # Never ends, so validation rejects it; the simulator must still stop.
    flow = Flow.model_validate(raw)
    sim = simulate(flow, ["yes", "1", "buy"])
    assert sim.outcome == "loop"
    assert sim.pending is None and sim.ended_at is None


def test_elapsed_text() -> None:
    assert elapsed_text(timedelta(0)) == "at once"
    assert elapsed_text(timedelta(days=2, hours=1, minutes=30)) == "+2 days 1 hour 30 minutes"

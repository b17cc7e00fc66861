"""Whatever a model writes, check_flow answers with problems, never an exception; a flow it
calls valid simulates without error; fixing twice changes nothing more."""

from __future__ import annotations

import copy
import random
from typing import Any

from core.flows.checks import check_flow
from core.flows.simulate import simulate
from tests.flows.samples import winback

JUNK: list[Any] = [None, 1, -1, True, "x", "END", "Message", "NEXT", "thanks", "Thanks", [], {}]
JUNK += ["{{first_name", "a" * 2000, {"value": 0, "unit": "days"}]


def mutate(node: Any, rng: random.Random) -> None:
    """One random change somewhere in the JSON: delete, replace with junk, or repeat."""
    if isinstance(node, dict) and node:
        key = rng.choice(list(node))
        roll = rng.random()
        if roll < 0.3:
            del node[key]
        elif roll < 0.6:
            node[key] = copy.deepcopy(rng.choice(JUNK))
        else:
            mutate(node[key], rng)
    elif isinstance(node, list) and node:
        roll = rng.random()
        if roll < 0.2:
            del node[rng.randrange(len(node))]
        elif roll < 0.3:
            node.append(copy.deepcopy(rng.choice(node)))
        else:
            mutate(rng.choice(node), rng)


def test_mutated_flows() -> None:
    rng = random.Random(15)
    valid = 0
    for _ in range(600):
        flow = winback()
        for _ in range(rng.randint(1, 4)):
            mutate(flow, rng)
        result = check_flow(flow)
        assert check_flow(result.fixed).corrections == []
        if not result.valid:
            assert result.problems
            assert all(problem.message.endswith((".", ")", '"')) for problem in result.problems)
            continue
        valid += 1
        assert result.flow is not None
        for actions in (["yes", "1", "buy"], ["ignore"] * 6, ["no"]):
            assert simulate(result.flow, actions).outcome in ("ended", "waiting", "loop")
    # Most single slips are fixed deterministically; the rest are reported.
    assert 100 < valid < 600

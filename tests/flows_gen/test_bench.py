"""bench/flows.py: the fixed description set is what it claims, and on the error-injecting
test server every flow ends valid with its required node types."""

from __future__ import annotations

from bench import flows as bench  # a script; importable from the repository root
from core.flows.models import STEP_TYPES
from tests.doubles.flow_llm import INJECTIONS, FlowLLMServer


def test_fifty_distinct_descriptions_each_naming_known_types() -> None:
    descriptions = [text for text, _ in bench.DESCRIPTIONS]
    assert len(descriptions) == len(set(descriptions)) == 50
    for _, required in bench.DESCRIPTIONS:
        assert required and set(required) <= set(STEP_TYPES)
    covered = {t for _, required in bench.DESCRIPTIONS for t in required}
    assert covered == set(STEP_TYPES) - {"end"}


def test_every_typical_error_is_injected_somewhere() -> None:
    cases = bench.cases()
    injected = {error for case in cases for error in case.errors}
    assert injected == set(INJECTIONS)
    assert any(case.stubborn for case in cases)


async def test_the_bench_on_the_test_server_is_all_valid() -> None:
    cases = bench.cases()
    server = FlowLLMServer({case.description: case for case in cases})
    await server.start()
    try:
        outcomes = await bench.run(server.url, cases, local=False)
    finally:
        await server.stop()
    assert all(o.valid and o.has_required for o in outcomes)
    assert {o.repairs for o in outcomes} == {0, 1, 2}
    assert bench.report(outcomes, local=False)

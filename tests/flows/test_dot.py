"""The Graphviz text of a flow: every step a node, every event an edge, text escaped."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from core.flows.checks import check_flow
from core.flows.dot import flow_to_dot, quote
from core.flows.models import Flow
from tests.flows.samples import step, winback


def sample() -> Flow:
    result = check_flow(winback())
    assert result.flow is not None
    return result.flow


def test_nodes_and_edges() -> None:
    dot = flow_to_dot(sample())
    assert dot.startswith("digraph flow {\n") and dot.endswith("}\n")
    assert '  start -> "once";' in dot
    assert '"ask" [shape=box' in dot and '"end" [shape=doublecircle' in dot
    assert '"answer" -> "picks" [label="\\"yes\\""];' in dot
    assert '"answer" -> "nudge" [label="no reply (2 days)"];' in dot
    assert '"ab" -> "timing" [label="office-hours (50 %)"];' in dot
    assert '"ask" -> "answer";' in dot
    assert "1 seg · GSM-7" in dot
    assert "delay: " in dot and "\\nwait 1 day" in dot  # a wait says how long
    edges = sum(len(s.events) for s in sample().steps)
    assert dot.count(" -> ") == edges + 1  # plus the start arrow


def test_text_is_escaped() -> None:
    assert quote('say "hi"\nback\\slash') == '"say \\"hi\\"\\nback\\\\slash"'
    raw = winback()
    step(raw, "thanks")["content"] = 'Thanks "friend" \\o/ {{order_number}}'
    result = check_flow(raw)
    assert result.flow is not None
    assert 'Thanks \\"friend\\" \\\\o/' in flow_to_dot(result.flow)


def test_graphviz_parses_it() -> None:
    binary = shutil.which("dot")
    if binary is None:
        reason = "Graphviz's dot is not installed (apt-get install graphviz)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason + "; CI requires it", pytrace=False)
        pytest.skip(reason)
    done = subprocess.run(
        [binary, "-Tsvg"],
        input=flow_to_dot(sample()).encode(),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"<svg" in done.stdout and b"<title>answer</title>" in done.stdout

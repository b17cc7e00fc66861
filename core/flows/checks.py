"""The one entry point for a flow a model wrote: deterministic fixes, then validation.

`check_flow` is what generation calls after every model answer: what it can fix it fixes
(each change a correction line); what is left comes back as problems, each a sentence fit
for a person and for the repair prompt. Only a flow with no problems is `valid`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.flows.fixes import fix_flow
from core.flows.models import Flow
from core.flows.problems import Problem
from core.flows.validate import validate_flow
from core.flows.wire import annotate


@dataclass(frozen=True)
class FlowCheck:
    flow: Flow | None  # parsed after the fixes, segments/encoding filled; None: schema errors
    problems: list[Problem] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    fixed: dict[str, Any] = field(default_factory=dict)  # the fixed JSON, for a repair prompt

    @property
    def valid(self) -> bool:
        return self.flow is not None and not self.problems


def check_flow(raw: Mapping[str, Any] | str, *, link_allowlist: Sequence[str] = ()) -> FlowCheck:
    fixed = fix_flow(raw)
    if not fixed.data:
        validation = validate_flow(raw if isinstance(raw, str) else {}, link_allowlist=())
        return FlowCheck(None, validation.problems, fixed.corrections, fixed.data)
    validation = validate_flow(fixed.data, link_allowlist=link_allowlist)
    flow = annotate(validation.flow) if validation.flow is not None else None
    return FlowCheck(flow, validation.problems, fixed.corrections, fixed.data)

"""A stored flow version as the models core's pure functions take (the DOT text, the walk).

The stored JSON passed validation before it was stored, so parsing it again only turns it
back into the models; it cannot fail short of a corrupted row.
"""

from __future__ import annotations

from core.flows.dot import flow_to_dot
from core.flows.models import Flow
from core.flows.views import FlowVersionView


def parsed(version: FlowVersionView) -> Flow:
    return Flow.model_validate(version.flow)


def dot_source(version: FlowVersionView) -> str:
    return flow_to_dot(parsed(version))

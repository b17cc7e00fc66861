"""▶️ Try it: walk a flow as a simulated customer, the person choosing what they do.

The walk lives in the buttons (handlers.flow.keyboards): each tap carries the options picked
so far, and core.flows.simulate replays them from the start, so the same taps always show
the same walk, on any replica and after a restart. One message shows the walk and is
edited as it goes: the texts the customer would get, in order, with the waits between them.
"""

from __future__ import annotations

from core.flows.models import Flow
from core.flows.simulate import Simulation, simulate
from core.flows.views import FlowVersionView
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, send
from handlers.flow import walk_views
from handlers.flow.diagram import parsed
from handlers.flow.keyboards import MAX_CHOICES, walk_keyboard, walk_over_keyboard

MAX_WALK = 40  # decisions in one walk: each is a digit of callback_data, which has 64 bytes


class WalkOutdated(Exception):
    """The choices don't fit the flow (a forged button): no option with that number."""


def replay(flow: Flow, choices: str) -> tuple[Simulation, list[str]]:
    """The walk after `choices` (option indexes), and the customer actions they stand for."""
    actions: list[str] = []
    simulation = simulate(flow, actions)
    for digit in choices:
        pending = simulation.pending
        if pending is None or int(digit) >= min(len(pending.options), MAX_CHOICES):
            raise WalkOutdated(choices)
        actions.append(pending.options[int(digit)].action)
        simulation = simulate(flow, actions)
    return simulation, actions


async def show(
    context: BotContext, who: Who, message_id: int | None, version: FlowVersionView,
    choices: str,
) -> None:  # fmt: skip
    """The walk after `choices`: a new message for ▶️ Try it, else the walk's own, edited."""
    simulation, _ = replay(parsed(version), choices)
    too_long = simulation.pending is not None and len(choices) >= MAX_WALK
    text = walk_views.walk(version.flow_id, version.version, simulation, too_long=too_long)
    if simulation.pending is None or too_long:
        markup = walk_over_keyboard(version.flow_id, version.version)
    else:
        labels = [option.label for option in simulation.pending.options]
        markup = walk_keyboard(version.flow_id, version.version, choices, labels)
    if message_id is None:
        await send(context, who, text, markup)
    else:
        await edit(context, who, message_id, text, markup)

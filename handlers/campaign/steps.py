"""The steps of /campaign as data: state, question, buttons, and how an answer is read."""

from __future__ import annotations

from typing import Any

from core.campaigns.models import MAX_POSTS
from handlers.common.steps import Step as Step  # re-exported: the feature's step type
from handlers.common.steps import StepInputError as StepInputError

PREFIX = "campaign:"
PERSONA = "campaign:persona"
GOAL = "campaign:goal"
TONE = "campaign:tone"
AUDIENCE = "campaign:audience"
DATES = "campaign:dates"
DATES_CHECK = "campaign:dates_check"  # the dates read, echoed back: ✅ Yes / ✏️ Retype
COUNT = "campaign:count"
FORMATS = "campaign:formats"
PLANNING = "campaign:planning"
FAILED = "campaign:failed"
PREVIEW = "campaign:preview"
EDIT_CAPTION = "campaign:edit_caption"
EDIT_TIME = "campaign:edit_time"
PREVIEW_STATES = frozenset({PREVIEW, EDIT_CAPTION, EDIT_TIME})
TOTAL_STEPS = 7
MAX_TEXT = 1000
MIXED = "a mix of image, carousel, reel, story, video and text posts"


STEPS: tuple[Step, ...] = (
    Step(
        GOAL, 2, "Goal",
        "What is the campaign's theme or goal?\n<i>e.g. Launch our autumn candle</i>",
    ),
    Step(
        TONE, 3, "Tone", "Which tone should the posts have?",
        options=tuple((t, t.lower()) for t in ("Warm", "Playful", "Professional", "Bold",
                                               "Inspiring")),
        own="your tone, e.g. <i>cheerful but calm</i>",
    ),
    Step(AUDIENCE, 4, "Audience", "Who is the audience?\n<i>e.g. Home lovers in Berlin, 25–45</i>"),
    Step(
        DATES, 5, "Dates",
        "When should the campaign run?\n<i>e.g. next week, from tomorrow for two weeks, "
        "all of January, Dec 1-14, or 1 Dec – 14 Dec</i>",
    ),
    Step(
        COUNT, 6, "Posts", f"How many posts (1–{MAX_POSTS})? Tap one or send a number.",
        options=tuple((n, n) for n in ("3", "5", "7", "10", "14")),
    ),
    Step(
        FORMATS, 7, "Formats", "Which formats?",
        options=(("🖼 Image", "image"), ("🗂 Carousel", "carousel"), ("🎞 Reel", "reel"),
                 ("📱 Story", "story"), ("🎬 Video", "video"), ("📝 Text", "text"),
                 ("🎲 Mixed", MIXED)),
        own="the mix you want, e.g. <i>3 image, 2 carousel</i>",
    ),
)  # fmt: skip
BY_STATE = {step.state: step for step in STEPS}


def next_state(state: str) -> str | None:
    """The step after `state`, or None after the last one (time to plan)."""
    states = [step.state for step in STEPS]
    index = states.index(state) + 1
    return states[index] if index < len(states) else None


def read_answer(state: str, text: str) -> dict[str, Any]:
    """The data an answer adds; StepInputError says what was wrong. (The dates are read
    and confirmed by handlers/campaign_date_step.py.)"""
    if state == COUNT:
        return {"post_count": _count(text)}
    key = {GOAL: "goal", TONE: "tone", AUDIENCE: "audience", FORMATS: "format_mix"}[state]
    return {key: _brief(text)}


def _brief(text: str) -> str:
    text = text.strip()
    if not text:
        raise StepInputError("Please send it as a text message.")
    if len(text) > MAX_TEXT:
        raise StepInputError(f"That is {len(text)} characters; please keep it under {MAX_TEXT}.")
    return text


def _count(text: str) -> int:
    try:
        count = int(text.strip())
    except ValueError:
        raise StepInputError(f"Send a number from 1 to {MAX_POSTS}.") from None
    if not 1 <= count <= MAX_POSTS:
        raise StepInputError(f"{count} won't do: send a number from 1 to {MAX_POSTS}.")
    return count


def plan_request_data(data: dict[str, Any]) -> dict[str, Any]:
    """What PlanRequest takes, from what the conversation collected."""
    keys = ("persona_id", "goal", "tone", "audience", "start_date", "end_date", "post_count")
    return {**{key: data.get(key) for key in keys}, "format_mix": data.get("format_mix", "image")}

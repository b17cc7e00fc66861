"""The steps of /write as data: brief → audience → content type → brand (when several).

Where the person is lives in the database (core.conversations), so a restart resumes at
the same step. The brief's limits are core's (core.content.requests), so Telegram and the
REST API refuse the same input with the same words.
"""

from __future__ import annotations

from core.content.requests import MAX_AUDIENCE, MAX_BRIEF, brief_problem
from domain.crew import ContentType
from handlers.common.steps import Step, StepInputError

PREFIX = "write:"
BRIEF = PREFIX + "brief"
AUDIENCE = PREFIX + "audience"
CONTENT_TYPE = PREFIX + "type"
BRAND = PREFIX + "brand"
TOTAL_STEPS = 4

STEPS: tuple[Step, ...] = (
    Step(
        BRIEF, 1, "Brief",
        "✍️ <b>What should the crew write?</b> Describe the campaign in a few sentences: "
        "the product or offer, the goal, anything it must say.\n"
        "<i>e.g. Create blog post about sustainable living</i>",
    ),
    Step(
        AUDIENCE, 2, "Audience",
        "👥 <b>Who is it for?</b>\n<i>e.g. Young families who shop online and care about "
        "waste</i>",
    ),
    Step(
        CONTENT_TYPE, 3, "Type", "🧾 <b>What kind of content?</b>",
        options=(
            ("📝 Blog post", ContentType.BLOG_POST.value),
            ("📱 Social media", ContentType.SOCIAL_MEDIA.value),
            ("✉️ Email", ContentType.EMAIL.value),
            ("📣 Ad copy", ContentType.AD_COPY.value),
        ),
    ),
    Step(BRAND, 4, "Brand", "🏷 <b>Which brand's guidelines should the crew follow?</b>"),
)  # fmt: skip
BY_STATE = {step.state: step for step in STEPS}


def read_text(state: str, text: str) -> dict[str, str]:
    """The data a typed answer adds; StepInputError says what to send instead."""
    if state == BRIEF:
        return {"campaign_brief": _checked(text, MAX_BRIEF, "The brief")}
    if state == AUDIENCE:
        return {"target_audience": _checked(text, MAX_AUDIENCE, "The audience")}
    if state == CONTENT_TYPE:
        return {"content_type": _content_type(text)}
    raise StepInputError("Tap one of the buttons above.")


def _checked(text: str, limit: int, what: str) -> str:
    problem = brief_problem(text, limit)
    if problem is not None:
        raise StepInputError(f"{what} {problem}.")
    return text.strip()


def _content_type(text: str) -> str:
    wanted = text.strip().lower().replace(" ", "_")
    try:
        return ContentType(wanted).value
    except ValueError:
        raise StepInputError("Tap one of the four kinds above.") from None

"""Every rule of the campaign plan, each producing one line in the details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.campaigns.models import MAX_POSTS, PlanDraft, validate_plan
from core.errors import ValidationFailed
from tests.campaigns.helpers import NOW, TZ, plan_body, post_body


def _problems(body: object, tz: ZoneInfo | None = None) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_plan(body, now=NOW, tz=tz)
    return caught.value.problems


def _with_post(**fields: object) -> dict[str, Any]:
    """A plan whose second post has `fields` changed (None removes the field)."""
    body = plan_body(1, posts=2)
    post = body["posts"][1]
    for key, value in fields.items():
        if value is None:
            post.pop(key)
        else:
            post[key] = value
    return body


LATER = (NOW + timedelta(days=366)).isoformat()
FORMATS = "image, carousel, reel, story, video, text"

TOP_LEVEL = [
    ({"persona_id": None}, "persona_id: is required"),
    ({"persona_id": 0}, "persona_id: must be at least 1"),
    ({"persona_id": "seven"}, "persona_id: must be an integer"),
    ({"campaign_name": None}, "campaign_name: is required"),
    ({"campaign_name": "   "}, "campaign_name: cannot be blank"),
    ({"campaign_name": "x" * 201}, "campaign_name: must be at most 200 characters"),
    ({"strategy_metadata": []}, "strategy_metadata: must be an object"),
    (
        {"strategy_metadata": {"notes": "x" * 20_000}},
        "strategy_metadata: must be at most 20000 characters as JSON, not 20013",
    ),
    ({"posts": None}, "posts: is required"),
    ({"posts": []}, "posts: must have at least 1 item(s)"),
    ({"posts": {}}, "posts: must be a list"),
    ({"posts": [post_body()] * 51}, "posts: must have at most 50 items, not 51"),
    ({"colour": "red"}, "colour: is not a known field"),
]


@pytest.mark.parametrize(("change", "line"), TOP_LEVEL, ids=[line for _, line in TOP_LEVEL])
def test_top_level_rules(change: dict[str, object], line: str) -> None:
    body = plan_body(1)
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    assert _problems(body) == [line]


POST_RULES = [
    ({"title": None}, "Post #2: title is required"),
    ({"title": ""}, "Post #2: title cannot be blank"),
    ({"title": "x" * 201}, "Post #2: title must be at most 200 characters"),
    ({"description": "x" * 2001}, "Post #2: description must be at most 2000 characters"),
    ({"content_pillar_name": None}, "Post #2: content_pillar_name is required"),
    ({"content_pillar_name": " "}, "Post #2: content_pillar_name cannot be blank"),
    (
        {"content_pillar_name": "x" * 101},
        "Post #2: content_pillar_name must be at most 100 characters",
    ),
    ({"image_prompt": None}, "Post #2: image_prompt is required"),
    ({"image_prompt": "  \n "}, "Post #2: image_prompt cannot be blank"),
    ({"image_prompt": "x" * 2001}, "Post #2: image_prompt must be at most 2000 characters"),
    ({"scheduled_at": None}, "Post #2: scheduled_at is required"),
    ({"scheduled_at": "next tuesday"}, "Post #2: scheduled_at must be an ISO 8601 date-time"),
    ({"scheduled_at": "2026-11-20T12:00:00+00:00"}, "Post #2: scheduled_at must be in the future"),
    ({"scheduled_at": NOW.isoformat()}, "Post #2: scheduled_at must be in the future"),
    ({"scheduled_at": LATER}, "Post #2: scheduled_at must be at most 365 days ahead"),
    (
        {"scheduled_at": "2026-12-01T10:00:00"},
        "Post #2: scheduled_at must include a UTC offset, like 2030-01-05T10:00:00+01:00",
    ),
    ({"caption_draft": None}, "Post #2: caption_draft is required"),
    ({"caption_draft": ""}, "Post #2: caption_draft cannot be blank"),
    ({"caption_draft": "x" * 4097}, "Post #2: caption_draft must be at most 4096 characters"),
    (
        {"caption_draft": "x" * 1010},
        "Post #2: caption_draft with its hashtags is 1028 characters; 1024 is the most for format"
        " image",
    ),
    ({"hashtags": "#a #b"}, "Post #2: hashtags must be a list"),
    ({"hashtags": ["#ok", "#123"]}, "Post #2: hashtags has '#123', which is not a usable hashtag"),
    ({"hashtags": ["x" * 101]}, "Post #2: hashtags[1] must be at most 100 characters"),
    (
        {"hashtags": [f"#t{n}" for n in range(31)]},
        "Post #2: hashtags must have at most 30 items, not 31",
    ),
    ({"format": "podcast"}, f"Post #2: format must be one of: {FORMATS}"),
    ({"format": 3}, f"Post #2: format must be one of: {FORMATS}"),
    ({"colour": "red"}, "Post #2: colour is not a known field"),
]


@pytest.mark.parametrize(("change", "line"), POST_RULES, ids=[line for _, line in POST_RULES])
def test_post_rules(change: dict[str, object], line: str) -> None:
    assert _problems(_with_post(**change)) == [line]


def test_every_problem_is_its_own_line() -> None:
    body = _with_post(title="", image_prompt=" ", scheduled_at="2020-01-01T00:00:00+00:00")
    body["campaign_name"] = ""
    assert _problems(body) == [
        "campaign_name: cannot be blank",
        "Post #2: title cannot be blank",
        "Post #2: image_prompt cannot be blank",
        "Post #2: scheduled_at must be in the future",
    ]


@pytest.mark.parametrize("body", [[], "plan", 3, None])
def test_a_body_that_is_not_an_object(body: object) -> None:
    assert _problems(body) == ["body: must be an object"]


def test_fifty_posts_are_fine() -> None:
    body = plan_body(1, posts=MAX_POSTS)
    assert len(validate_plan(body, now=NOW).posts) == MAX_POSTS


def test_normalisation() -> None:
    body = _with_post(
        hashtags=["autumn", "#Autumn", "cosy home", "#candles!"],
        format=" Photo ",
        title="  Spaced  ",
        scheduled_at="2026-12-01T10:00:00",
    )
    post = validate_plan(body, now=NOW, tz=TZ).posts[1]
    assert post.hashtags == ["#autumn", "#cosyhome", "#candles"]
    assert (post.format, post.title) == ("image", "Spaced")
    assert post.scheduled_at.utcoffset() == timedelta(hours=1)  # naive means TIMEZONE


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("image", "image"), ("carousel", "carousel"), ("reel", "reel"), ("story", "story"),
        ("video", "video"), ("text", "text"), ("Reels", "reel"), ("stories", "story"),
        ("album", "carousel"), ("picture", "image"),
    ],
)  # fmt: skip
def test_the_formats_planners_use(sent: str, stored: str) -> None:
    assert validate_plan(_with_post(format=sent), now=NOW).posts[1].format == stored


@pytest.mark.parametrize("post_format", ["reel", "story", "video", "carousel"])
def test_a_media_post_caption_fits_a_media_caption(post_format: str) -> None:
    body = _with_post(caption_draft="x" * 1020, hashtags=["#abcd"], format=post_format)
    assert _problems(body) == [
        f"Post #2: caption_draft with its hashtags is 1027 characters; 1024 is the most for "
        f"format {post_format}"
    ]


def test_a_skipped_wall_time_is_a_problem_line() -> None:
    body = _with_post(scheduled_at="2027-03-28T02:30:00")
    assert _problems(body, TZ) == [
        "Post #2: scheduled_at 02:30 does not exist on Sun 28 Mar in Europe/Berlin: "
        "the clocks jump forward then"
    ]


def test_a_doubled_wall_time_means_the_first() -> None:
    """31 Oct 2027, 02:30 happens twice in Berlin: first in CEST (UTC+2)."""
    body = _with_post(scheduled_at="2027-10-31T02:30:00")
    post = validate_plan(body, now=NOW, tz=TZ).posts[1]
    assert post.scheduled_at.utcoffset() == timedelta(hours=2)


def test_a_text_post_may_be_long() -> None:
    body = _with_post(caption_draft="x" * 4000, format="text", hashtags=[])
    assert validate_plan(body, now=NOW).posts[1].format == "text"


def test_plan_schema_accepts_a_model_answer_without_the_clock() -> None:
    answer = {
        "campaign_name": "Autumn",
        "strategy_metadata": {
            "summary": "s", "key_message": "k", "pillar_mix": {"Product": 1}, "cadence": "c",
        },
        "posts": [post_body(scheduled_at="2020-01-01T10:00:00+00:00")],
    }  # fmt: skip
    draft = PlanDraft.model_validate(answer)  # no context: the time rules wait for the service
    assert draft.to_plan(4)["persona_id"] == 4
    schema = PlanDraft.model_json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["$defs"]["PostPlan"]["properties"]) == {
        "title", "description", "content_pillar_name", "image_prompt", "scheduled_at",
        "caption_draft", "hashtags", "format",
    }  # fmt: skip

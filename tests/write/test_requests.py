"""The design's Campaign Request, read strictly: one line per problem, nothing guessed."""

from __future__ import annotations

from typing import Any

import pytest

from core.content.requests import ContentRequest, parse_request
from core.errors import ValidationFailed
from domain.crew import ContentType

GOOD = {
    "campaign_brief": "Create blog post about sustainable living",
    "target_audience": "Young families",
    "content_type": "blog_post",
}


def test_a_good_request_is_read_as_it_is() -> None:
    request = parse_request({**GOOD, "brand_id": "7"})
    assert request == ContentRequest(brief=parse_request(GOOD).brief, brand_id=7)
    assert request.brief.content_type == ContentType.BLOG_POST
    assert request.brief.campaign_brief == GOOD["campaign_brief"]


@pytest.mark.parametrize("brand_id", ["7", 7, " 7 "])
def test_brand_id_is_a_string_in_the_design_and_a_number_is_taken_too(brand_id: Any) -> None:
    assert parse_request({**GOOD, "brand_id": brand_id}).brand_id == 7


def test_brand_id_is_optional() -> None:
    assert parse_request(GOOD).brand_id is None
    assert parse_request({**GOOD, "brand_id": None}).brand_id is None


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"campaign_brief": "  "}, "campaign_brief: must not be empty"),
        ({"campaign_brief": "x" * 4001}, "campaign_brief: is 4001 characters; at most 4000"),
        ({"campaign_brief": 5}, "campaign_brief: must be a string"),
        ({"target_audience": None}, "target_audience: is required"),
        ({"content_type": "tweet"}, "content_type: must be one of blog_post, social_media, "
                                    "email, ad_copy, not 'tweet'"),
        ({"brand_id": "acme"}, "brand_id: must be a brand's id such as \"7\", not 'acme'"),
        ({"brand_id": True}, "brand_id: must be a brand's id such as \"7\", not 'True'"),
        ({"content_typ": "email"}, "content_typ: unknown field"),
    ],
)  # fmt: skip
def test_each_problem_is_one_line(change: dict[str, Any], line: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_request({**GOOD, **change})
    assert caught.value.problems == [line]


def test_every_problem_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_request({"brand_id": "x"})
    assert caught.value.problems == [
        "campaign_brief: is required",
        "target_audience: is required",
        "content_type: is required (blog_post, social_media, email, ad_copy)",
        "brand_id: must be a brand's id such as \"7\", not 'x'",
    ]

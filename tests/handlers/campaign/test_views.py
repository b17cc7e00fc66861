"""Campaign plan previews stay inside Telegram's limits and escape what the model wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.campaigns.models import CampaignPlan
from handlers.campaign.views import detail, summary

TZ = ZoneInfo("Europe/Berlin")
START = datetime(2030, 1, 1, 17, 0, tzinfo=UTC)


def _plan(posts: int, **post: Any) -> CampaignPlan:
    body = {
        "persona_id": 1,
        "campaign_name": "Big <launch>",
        "strategy_metadata": {"summary": "S & T", "pillar_mix": {"Product": posts}},
        "posts": [
            {
                "title": f"Post {n} " + "t" * 190,
                "content_pillar_name": "Product",
                "image_prompt": "p" * 2000,
                "scheduled_at": (START + timedelta(days=n)).isoformat(),
                "caption_draft": "c",
                "format": "text",
                **post,
            }
            for n in range(posts)
        ],
    }
    return CampaignPlan.model_validate(body)


DATA = {"persona_name": "Acme", "start_date": "2030-01-01", "end_date": "2030-03-01"}


def test_fifty_long_posts_fit_one_message() -> None:
    text = summary(_plan(50), {**DATA, "warnings": ["Post #2: <odd>"]}, TZ)
    assert len(text) <= 4096
    assert "Big &lt;launch&gt;" in text and "S &amp; T" in text
    assert "… and " in text and "more (page through them below)" in text
    assert "Post #2: &lt;odd&gt;" in text
    assert "Wed 02 Jan 18:00 · text" in text  # times in TIMEZONE


def test_a_long_text_post_detail_fits() -> None:
    text = detail(_plan(1, caption_draft="<b>" * 1000, description="d" * 2000), 0, TZ)
    assert len(text) <= 4096
    assert "&lt;b&gt;" in text and "<b>Post 1 of 1" in text

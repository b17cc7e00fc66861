"""What a reel, a story or a carousel becomes in the channel, through the whole bot: the
dispatcher, the Telegram publisher, alerts and the Retry button, against the Bot API double.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ImageRun, ImageRunPost, Post, RunImage
from tests.e2e.harness import ADMIN, Harness
from tests.e2e.schedule_support import (
    CHANNEL,
    soon,
    status_of,
    wait_status,
)

PICTURE = b"\x89PNG\r\n\x1a\n a still from the image pipeline"


@pytest.fixture
def bot(publishing_harness: Harness) -> Harness:
    return publishing_harness


async def _add_media_post(
    sessions: async_sessionmaker[AsyncSession], post_format: str, image: str
) -> int:
    """An approved post due now whose picked image is the file `image` under DATA_DIR,
    never uploaded to Telegram (no file_id): only the file can be sent."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        post = Post(
            status="scheduled", title="Grandma's cookies", format=post_format,
            caption="The smell of cinnamon.", hashtags=["#HolidayBaking"],
            scheduled_at=soon(0), approved_at=now, approved_by=ADMIN,
        )  # fmt: skip
        run = ImageRun(
            prompt_id=f"formats-{post_format}", status="completed", seed=1,
            image_prompt="cookies", batch_size=1, picked_position=1, picked_at=now,
        )  # fmt: skip
        session.add_all([post, run])
        await session.flush()
        session.add(ImageRunPost(run_id=run.id, post_id=post.id, previous_status="draft"))
        session.add(
            RunImage(
                run_id=run.id, position=1, path=image, sha256="0" * 64,
                size_bytes=len(PICTURE), source_name="c.png", picked=True,
            )
        )  # fmt: skip
        return post.id


@pytest.mark.parametrize("post_format", ["reel", "story", "carousel"])
async def test_a_media_post_goes_to_the_channel_as_a_photo_post(
    bot: Harness, tmp_path: Path, post_format: str
) -> None:
    (tmp_path / "images").mkdir(exist_ok=True)
    (tmp_path / "images" / f"{post_format}.png").write_bytes(PICTURE)
    sessions = bot.bot.services.sessions
    post_id = await _add_media_post(sessions, post_format, f"images/{post_format}.png")
    await wait_status(sessions, post_id, "published")
    [message] = bot.api.messages_in(CHANNEL)
    assert message["caption"] == "The smell of cinnamon.\n\n#HolidayBaking"
    assert bot.api.last("sendPhoto").files["photo"].data == PICTURE


async def test_a_reel_whose_image_is_gone_fails_with_the_reason_then_retry_sends_it(
    bot: Harness, tmp_path: Path
) -> None:
    """Never published as bare text: the admins are told why, and Retry works once the
    file is back."""
    sessions = bot.bot.services.sessions
    post_id = await _add_media_post(sessions, "reel", "images/gone.png")
    alert = await bot.said("could not be published")
    gone = tmp_path / "images" / "gone.png"
    assert (
        f"Post #{post_id} is a reel post, but its image file {gone} is gone and Telegram has "
        "no copy of it, so nothing was sent. Put the file back under DATA_DIR, then retry."
    ) in alert.params["text"]
    assert await status_of(sessions, post_id) == "failed"
    assert bot.api.messages_in(CHANNEL) == []

    gone.parent.mkdir(exist_ok=True)
    gone.write_bytes(PICTURE)
    retry = next(
        button["callback_data"]
        for row in alert.params["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"].startswith("🔁 Retry")
    )
    bot.tap(bot.message_id_of(alert), retry)
    await wait_status(sessions, post_id, "published")
    [message] = bot.api.messages_in(CHANNEL)
    assert message["caption"] == "The smell of cinnamon.\n\n#HolidayBaking"

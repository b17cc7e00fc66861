"""The Mini App's review queue in headless Chromium: a decision taken in the app shows on the
chat's card of the same post (the Bot API double records the edit), and a decision made
in the chat first is refused in the app. Screenshots go to test-artifacts/miniapp/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, expect
from sqlalchemy import select

from storage.models import ImageRun, ImageRunPost, Post, RunImage
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.doubles.webapp_fixtures import AppPage, open_app
from tests.e2e.campaign_support import bot_on, buttons, make_campaign, make_persona
from tests.e2e.harness import ADMIN, Harness
from tests.miniapp_browser.support import init_data


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> AsyncIterator[Harness]:
    """The whole bot, on SQLite and on PostgreSQL."""
    async with bot_on(telegram_api, llm_server, tmp_path, database_url) as harness:
        yield harness


async def _posts_with_chat_cards(bot: Harness, count: int) -> dict[int, int]:
    """`count` draft posts, each shown in the chat by /approve: post id → card message id."""
    persona = await make_persona(bot)
    await make_campaign(bot, persona.id, posts=count)
    async with bot.bot.services.sessions() as session:
        titles = {
            title: post_id for title, post_id in await session.execute(select(Post.title, Post.id))
        }
    bot.send("/approve")
    cards: dict[int, int] = {}
    for title, post_id in titles.items():
        card = await bot.said(title)
        assert "✅ Approve" in buttons(card)
        cards[post_id] = bot.message_id_of(card)
    return cards


async def _open_queue(bot: Harness, browser: Browser, theme: str = "light") -> AppPage:
    app = await open_app(browser, bot.web_url, init_data(), theme=theme)
    await app.page.locator('[data-tab="queue"]').click()
    await expect(app.page.locator("[data-card]").first).to_be_visible()
    return app


def _shown(bot: Harness, message_id: int) -> dict[str, object]:
    """The chat's message as it is now, after every edit."""
    return next(m for m in bot.api.messages_in(ADMIN) if m["message_id"] == message_id)


async def _card_edited(bot: Harness, message_id: int, words: str) -> RecordedCall:
    return await bot.api.wait_for(
        "editMessageText",
        lambda c: c.params.get("message_id") == message_id and words in str(c.params["text"]),
    )


async def _state(bot: Harness, post_id: int) -> tuple[str, int | None]:
    """A post's status and who approved it (approving a draft keeps it a draft)."""
    async with bot.bot.services.sessions() as session:
        query = select(Post.status, Post.approved_by).where(Post.id == post_id)
        status, approved_by = (await session.execute(query)).one()
        return str(status), approved_by


async def test_approving_in_the_app_edits_the_chats_card(bot: Harness, browser: Browser) -> None:
    cards = await _posts_with_chat_cards(bot, 2)
    post_id, message_id = next(iter(cards.items()))
    app = await _open_queue(bot, browser)
    await app.screenshot("queue-light")
    card = app.page.locator(f'[data-card="post:{post_id}"]')
    await card.locator('[data-action="approve"]').click()
    await expect(app.page.locator("#toast")).to_be_visible()
    await expect(card).to_have_count(0)  # decided: off the queue
    edit = await _card_edited(bot, message_id, "Approved in the dashboard by Ann")
    assert not buttons(edit)  # the chat card's buttons are gone
    assert await _state(bot, post_id) == ("draft", ADMIN)
    # The other post's card is untouched, in the chat and in the app.
    other_post, other_message = list(cards.items())[1]
    assert "✅ Approve" in str(_shown(bot, other_message).get("reply_markup"))
    await expect(app.page.locator(f'[data-card="post:{other_post}"]')).to_be_visible()
    await app.screenshot("queue-after-approve")
    assert app.errors == []


async def test_rejecting_in_the_app_edits_the_chats_card(bot: Harness, browser: Browser) -> None:
    cards = await _posts_with_chat_cards(bot, 1)
    post_id, message_id = next(iter(cards.items()))
    app = await _open_queue(bot, browser, theme="dark")
    await app.screenshot("queue-dark")
    await app.page.locator(f'[data-card="post:{post_id}"] [data-action="reject"]').click()
    await expect(app.page.locator(f'[data-card="post:{post_id}"]')).to_have_count(0)
    edit = await _card_edited(bot, message_id, "in the dashboard by Ann")
    assert "Rejected" in str(edit.params["text"]) and not buttons(edit)
    assert await _state(bot, post_id) == ("rejected", None)
    assert app.errors == []


@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_a_post_decided_in_the_chat_is_refused_in_the_app(
    bot: Harness, browser: Browser, action: str
) -> None:
    """The app shows the card, then someone approves it in the chat (the post's words, so
    its revision, stay as they were): the app's approve or reject on its stale card is
    refused, says what the post is now and who made it so, the queue is read again (the
    card goes), and nothing changes."""
    cards = await _posts_with_chat_cards(bot, 1)
    post_id, message_id = next(iter(cards.items()))
    app = await _open_queue(bot, browser)
    bot.tap(message_id, buttons(_as_call(bot, message_id))["✅ Approve"])
    await bot.api.wait_for("answerCallbackQuery")
    assert await _state(bot, post_id) == ("draft", ADMIN)
    await app.page.locator(f'[data-card="post:{post_id}"] [data-action="{action}"]').click()
    toast = app.page.locator("#toast")
    await expect(toast).to_be_visible()
    await expect(toast).to_contain_text(f"Post #{post_id} changed since you opened it")
    await expect(toast).to_contain_text("it's now approved")
    await expect(toast).to_have_class("bad")
    await expect(app.page.locator(f'[data-card="post:{post_id}"]')).to_have_count(0)
    await app.screenshot(f"queue-stale-{action}")
    assert await _state(bot, post_id) == ("draft", ADMIN)


async def test_editing_in_the_app_redraws_the_chats_card_with_the_new_text(
    bot: Harness, browser: Browser
) -> None:
    cards = await _posts_with_chat_cards(bot, 1)
    post_id, message_id = next(iter(cards.items()))
    app = await _open_queue(bot, browser)
    card = app.page.locator(f'[data-card="post:{post_id}"]')
    await card.locator('[data-action="edit"]').click()
    await card.locator("textarea").fill("Fresh caption from the dashboard & <friends>")
    await card.locator('[data-action="save"]').click()
    await expect(app.page.locator("#toast")).to_be_visible()
    edit = await _card_edited(
        bot, message_id, "Fresh caption from the dashboard &amp; &lt;friends&gt;"
    )
    assert "✅ Approve" in buttons(edit)  # still waiting for a decision, on its new revision
    async with bot.bot.services.sessions() as session:
        caption = await session.scalar(select(Post.caption).where(Post.id == post_id))
    assert caption == "Fresh caption from the dashboard & <friends>"
    card = app.page.locator(f'[data-card="post:{post_id}"]')
    await expect(card.locator(".text")).to_have_text("Fresh caption from the dashboard & <friends>")
    await app.screenshot("queue-after-edit")
    assert app.errors == []


async def test_image_candidates_load_through_the_header_never_the_url(
    bot: Harness, browser: Browser, tmp_path: Path
) -> None:
    cards = await _posts_with_chat_cards(bot, 1)
    post_id = next(iter(cards))
    image_ids = await _candidates(bot, tmp_path, post_id, colours=("#d9822b", "#2b6cd9"))
    app = await _open_queue(bot, browser)
    images = app.page.locator(f'[data-card="post:{post_id}"] img[data-image]')
    await expect(images).to_have_count(2)
    for image in await images.all():
        await expect(image).to_have_attribute("src", re.compile(r"^blob:"))
        assert await image.evaluate("img => img.complete && img.naturalWidth") == 64
    fetched = [url for url in app.requests if "/app/api/images/" in url]
    assert sorted(fetched) == sorted(f"{bot.web_url}/app/api/images/{i}" for i in image_ids)
    await app.screenshot("queue-with-images")
    assert app.errors == []


async def _candidates(
    bot: Harness, data_dir: Path, post_id: int, colours: tuple[str, ...]
) -> list[int]:
    """An image run of `post_id` with one PNG candidate per colour, files in DATA_DIR."""
    (data_dir / "images").mkdir(exist_ok=True)
    async with bot.bot.services.sessions.begin() as session:
        run = ImageRun(prompt_id=f"p{post_id}", status="completed", image_prompt="candle",
                       seed=1, batch_size=len(colours))  # fmt: skip
        session.add(run)
        await session.flush()
        session.add(ImageRunPost(run_id=run.id, post_id=post_id, previous_status="draft"))
        images = []
        for position, colour in enumerate(colours, start=1):
            path = data_dir / "images" / f"{post_id}-{position}.png"
            Image.new("RGB", (64, 64), colour).save(path)
            image = RunImage(run_id=run.id, position=position, path=str(path.relative_to(data_dir)),
                             sha256="0" * 64, size_bytes=path.stat().st_size,
                             source_name=path.name, picked=False)  # fmt: skip
            session.add(image)
            images.append(image)
        await session.flush()
        return [image.id for image in images]


def _as_call(bot: Harness, message_id: int) -> RecordedCall:
    return next(
        c for c in bot.api.calls
        if c.method == "sendMessage" and c.ok and bot.message_id_of(c) == message_id
    )  # fmt: skip

"""/images, /campaignimages, /pickimage, and the reply to "Edit prompt".

Starting a run only writes rows and schedules work: ComfyUI is driven in the background by
core.pipeline, so this chat stays responsive while images render.
"""

from __future__ import annotations

from html import escape

from telegram import ForceReply, Message, Update
from telegram.constants import ParseMode

from core.conversations import Conversation
from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound, ValidationFailed
from core.pipeline import StatusTarget
from handlers.common.context import BotContext
from handlers.common.telegram_io import edit_html
from handlers.images import views
from handlers.images.delivery import send_candidates

EDITING_PROMPT = "editing_image_prompt"
IMAGES_USAGE = (
    "Usage: /images &lt;post id&gt; [prompt]\n"
    "Starts an image run for the post, with its own image prompt or the one you give."
)
CAMPAIGN_USAGE = "Usage: /campaignimages &lt;campaign id&gt;"


async def images_command(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    args = context.args or []
    if not args or not args[0].lstrip("#").isdigit():
        await message.reply_text(IMAGES_USAGE, parse_mode=ParseMode.HTML)
        return
    prompt = " ".join(args[1:]) or None
    await start_run(context, message.chat_id, user.id, (int(args[0].lstrip("#")),), prompt)


async def campaign_images(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await message.reply_text(CAMPAIGN_USAGE, parse_mode=ParseMode.HTML)
        return
    campaign_id = int(args[0].lstrip("#"))
    try:
        plan = await context.services.pipeline.campaign_plan(campaign_id)
    except CopilotError as error:
        await message.reply_text(f"⚠️ {error}")
        return
    head = (
        f"Starting {len(plan.requests)} image run(s) for campaign #{campaign_id}."
        if plan.requests
        else f"No post of campaign #{campaign_id} needs an image now."
    )
    await message.reply_text("\n".join([head, *plan.skipped])[:4000])
    for request in plan.requests:
        await start_run(context, message.chat_id, user.id, request.post_ids, request.prompt)


async def start_run(
    context: BotContext, chat_id: int, user_id: int, post_ids: tuple[int, ...], prompt: str | None
) -> bool:
    """Start a run; its queued status message comes from the pipeline. False if refused."""
    target = StatusTarget(chat_id)
    try:
        await context.services.pipeline.start(
            post_ids, target=target, user_id=user_id, prompt=prompt
        )
    except CopilotError as error:
        await context.bot.send_message(chat_id, refused(error), parse_mode=ParseMode.HTML)
        return False
    return True


def refused(error: CopilotError) -> str:
    if isinstance(error, ValidationFailed):
        return "⚠️ No image run started:\n" + "\n".join(f"• {escape(p)}" for p in error.problems)
    return f"⚠️ {escape(str(error))}"


async def pick_image(update: Update, context: BotContext) -> None:
    """/pickimage: every run waiting for a pick, its candidates shown again with the buttons."""
    message = update.effective_message
    assert message is not None
    pipeline = context.services.pipeline
    try:
        page = await pipeline.waiting_for_pick()
    except CopilotError as error:
        await message.reply_text(f"⚠️ {error}")
        return
    await message.reply_text(views.waiting_header(page), parse_mode=ParseMode.HTML)
    for run in page.items:
        images = await pipeline.images(run.id)
        delivery = await send_candidates(context.bot, pipeline, run, images, message.chat_id)
        await pipeline.record_delivery(run.id, delivery)


async def on_prompt_reply(update: Update, context: BotContext, state: Conversation) -> None:
    """The new prompt after "Edit prompt": a new run replaces the old one's candidates."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    conversations = context.services.conversations
    run_id = int(state.data["run_id"])
    try:
        new = await context.services.pipeline.replace(
            run_id, target=StatusTarget(message.chat_id), user_id=user.id, prompt=message.text or ""
        )
    except ValidationFailed as error:
        await message.reply_text(f"{error} Send the prompt again, or /cancel.")
        return
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await conversations.clear(message.chat_id, user.id)
        await message.reply_text(f"{error} Your prompt was not used.")
        return
    await conversations.clear(message.chat_id, user.id)
    await _mark_replaced(context, message, int(state.data["message_id"]), run_id, new.id)


async def _mark_replaced(
    context: BotContext, message: Message, old_message_id: int, run_id: int, new_run_id: int
) -> None:
    pipeline = context.services.pipeline
    old, new = await pipeline.get(run_id), await pipeline.get(new_run_id)
    await edit_html(context.bot, message.chat_id, old_message_id, views.replaced_text(old, new))


async def ask_for_prompt(context: BotContext, message: Message, run_id: int, user_id: int) -> None:
    data = {"run_id": run_id, "message_id": message.message_id}
    await context.services.conversations.set(
        message.chat.id, user_id, Conversation(EDITING_PROMPT, data)
    )
    await context.bot.send_message(
        message.chat.id,
        f"Send the new image prompt for image run #{run_id} as your next message, or /cancel.",
        reply_markup=ForceReply(input_field_placeholder="What the picture should show"),
    )

"""/start, /help and /cancel."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from handlers.common.context import BotContext

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and what this bot does"),
    ("help", "All commands"),
    ("suggest", "Suggest what to post next"),
    ("persona", "Brand personas: list, create, edit, or send a YAML/JSON file"),
    ("brand", "Brand guidelines per persona: banned words, disclaimers, review crew"),
    ("campaign", "Plan a whole campaign of posts"),
    ("write", "The review crew writes from a brief: scored, ready to post or email"),
    ("flow", "An SMS flow from a description: diagram, JSON, try it, approve"),
    ("approve", "Review everything waiting for a decision"),
    ("images", "Generate images for a post, e.g. /images 12"),
    ("campaignimages", "Generate images for a campaign's posts"),
    ("pickimage", "Pick images from finished runs"),
    ("schedule", "What goes out when: reschedule, publish now, calendar"),
    ("dashboard", "The dashboard app: calendar, review queue, numbers, brands"),
    ("sequence", "Email sequences: create one, see its emails and send log"),
    ("email", "Customer emails: paste, forward or send an .eml; a reply draft follows"),
    ("orders", "Import your orders (CSV or JSON) so email replies know them"),
    ("usage", "What the AI cost: today, 7 and 30 days, budget left, drafts kept"),
    ("report", "A period's facts and three things to do, e.g. /report last week"),
    ("prompts", "Prompt experiments: which variant people keep, at what cost; promote one"),
    ("cancel", "Stop what you are doing"),
)

WELCOME = (
    "<b>Hi! I'm Campaign Copilot.</b>\n"
    "I suggest and draft your marketing posts; nothing goes out until you approve it.\n\n"
    "Try /suggest for your next post, or /help for everything I can do."
)


def help_text() -> str:
    lines = ["<b>What I can do</b>"]
    lines += [f"/{command} — {description}" for command, description in COMMANDS]
    lines += ["", "Every generated item has buttons: Approve, Edit, Regenerate, Reject."]
    return "\n".join(lines)


async def start(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(WELCOME, parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text(), parse_mode=ParseMode.HTML)


async def cancel(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    assert update.effective_chat is not None
    cleared = await context.services.conversations.clear(
        update.effective_chat.id, update.effective_user.id
    )
    text = "Cancelled. Nothing was changed." if cleared else "Nothing to cancel."
    await update.effective_message.reply_text(text)

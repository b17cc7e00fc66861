"""/prompts and its buttons. Thin: core.experiments computes and promotes, views lay out."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import CallbackQuery, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode

from core.errors import AlreadyDecided, InvalidTransition, NotFound
from core.experiments.service import TemplateReport
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, key_of, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import MOVED_ON, STALE, refuse
from handlers.prompts import keyboards as kb
from handlers.prompts import views


async def prompts_command(update: Update, context: BotContext) -> None:
    experiments = context.services.experiments
    reports = await experiments.overview()
    if not reports:
        await send(context, Who.of(update), views.NO_TEMPLATES)
        return
    markup = _overview_keyboard(reports)
    await send(context, Who.of(update), views.overview(reports), markup)


async def on_button(update: Update, context: BotContext) -> None:
    query, key = key_of(update)
    if key is None or key.kind != kb.KIND or query.message is None:
        await refuse(query, context, "invalid")
        return
    who = Who(query.message.chat.id, query.from_user.id)
    if key.action == kb.LIST:
        await query.answer()
        await _list(context, who, query.message.message_id)
    elif key.action == kb.SHOW:
        await _show(query, context, who, key)
    elif (variant := kb.variant_of(key.action, kb.ASK)) is not None:
        await _ask(query, context, who, key, variant)
    elif (variant := kb.variant_of(key.action, kb.CONFIRM)) is not None:
        await _promote(query, context, who, key, variant)
    else:
        await refuse(query, context, "invalid")


async def _list(context: BotContext, who: Who, message_id: int) -> None:
    reports = await context.services.experiments.overview()
    markup = _overview_keyboard(reports)
    await edit(context, who, message_id, views.overview(reports), markup)


async def _show(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """A template's card; the version on the button only matters for promoting."""
    report = await _report(query, context, key, check_version=False)
    if report is None:
        return
    await query.answer()
    await _draw(context, who, query, key.item_id, report)


async def _ask(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, variant: int
) -> None:
    chosen = await _chosen(query, context, key, variant)
    if chosen is None:
        return
    report, name = chosen
    await query.answer()
    markup = kb.confirm_keyboard(key.item_id, report.version, variant)
    assert query.message is not None
    await edit(context, who, query.message.message_id, views.confirm(report, name), markup)


async def _promote(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey, variant: int
) -> None:
    chosen = await _chosen(query, context, key, variant)
    if chosen is None:
        return
    report, name = chosen
    try:
        promotion = await context.services.experiments.promote(
            report.name, key.revision, name, who.user_id
        )
    except (AlreadyDecided, InvalidTransition, NotFound) as moved_on:
        await refuse(query, context, "stale", str(moved_on), show_alert=True)
        return
    await query.answer("Promoted ⭐")
    fresh = await context.services.experiments.template(report.name)
    await _draw(context, who, query, key.item_id, fresh)
    await send(context, who, views.promoted(promotion))
    await context.bot.send_document(
        who.chat_id,
        InputFile(promotion.yaml_text.encode(), filename=f"{promotion.name}.yaml"),
        caption=views.promoted_caption(promotion),
        parse_mode=ParseMode.HTML,
    )


def _overview_keyboard(reports: Sequence[TemplateReport]) -> InlineKeyboardMarkup:
    return kb.overview_keyboard(
        [report.name for report in reports], [report.version for report in reports]
    )


async def _report(
    query: CallbackQuery, context: BotContext, key: CallbackKey, *, check_version: bool = True
) -> TemplateReport | None:
    """The template the button names, if it is still what the card showed."""
    experiments = context.services.experiments
    names = experiments.names()
    if not 0 <= key.item_id < len(names):
        await refuse(query, context, "stale", STALE)
        return None
    try:
        report = await experiments.template(names[key.item_id])
    except MOVED_ON:
        await refuse(query, context, "stale", STALE)
        return None
    if check_version and report.version != key.revision:
        await refuse(
            query, context, "stale",
            f"{report.name} changed since this card (it is at version {report.version} now). "
            "Tap /prompts again.", show_alert=True,
        )  # fmt: skip
        return None
    return report


async def _chosen(
    query: CallbackQuery, context: BotContext, key: CallbackKey, variant: int
) -> tuple[TemplateReport, str] | None:
    """The template the card showed and the tapped variant's name, if that variant can
    still be promoted (asking and confirming check the same; the answer may have moved on)."""
    report = await _report(query, context, key)
    if report is None:
        return None
    name = _promotable(report, variant)
    if name is None:
        await refuse(query, context, "stale", views.CANT_PROMOTE, show_alert=True)
        return None
    return report, name


def _promotable(report: TemplateReport, variant: int) -> str | None:
    current = next((v for v in report.versions if v.current), None)
    if current is None or not 0 <= variant < len(current.variants):
        return None
    name = current.variants[variant].name
    return name if name in report.promotable else None


async def _draw(
    context: BotContext, who: Who, query: CallbackQuery, index: int, report: TemplateReport
) -> None:
    current = next((v for v in report.versions if v.current), None)
    variants = [v.name for v in current.variants] if current is not None else []
    markup = kb.template_keyboard(index, report.version, report.promotable, variants)
    assert query.message is not None
    await edit(context, who, query.message.message_id, views.template(report), markup)

"""The support inbox assembled and started: polled while the bot runs, when IMAP_HOST is set.

Each new mail goes to the same EmailIntake as /email and the API (so the reply desk's
hook drafts a reply for it); a problem reaching the mailbox is told to the admins in
Telegram once, in the email feature's words (handlers/email/inbox_alerts.py).
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Bot

from bot.adapters.imap_inbox import ImapMailbox
from bot.adapters.telegram_channel import tell_admins
from bot.services import Services
from core.emaildesk.inbox import InboxReader
from core.emaildesk.inbox_poller import InboxAlert, InboxPoller
from handlers.email.inbox_alerts import inbox_alert_text

log = logging.getLogger(__name__)


def start_support_inbox(services: Services, bot: Bot) -> InboxPoller | None:
    """Start polling; None when the inbox is not configured (IMAP_HOST unset)."""
    imap = services.settings.imap
    if imap is None or not imap.host:
        log.info("the support inbox is off (IMAP_HOST is not set)")
        return None
    mailbox = ImapMailbox(imap)
    reader = InboxReader(mailbox, services.email_intake, services.sessions, services.clock)
    admins = sorted(services.settings.access.admin_user_ids)
    poller = InboxPoller(
        reader, interval_s=imap.poll_interval_s, alert=_AdminAlerter(bot, admins).send
    )
    poller.start()
    log.info("reading the support inbox %s every %s s", mailbox.address, imap.poll_interval_s)
    return poller


class _AdminAlerter:
    def __init__(self, bot: Bot, admins: Collection[int]) -> None:
        self._bot = bot
        self._admins = admins

    async def send(self, alert: InboxAlert) -> None:
        if not await tell_admins(self._bot, self._admins, inbox_alert_text(alert), None):
            raise RuntimeError("no admin could be told about the support inbox")

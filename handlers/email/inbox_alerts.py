"""What the admins read when the support inbox can't be read, and when it can again.

The problem line comes from the IMAP adapter and may quote the server: it is escaped.
"""

from __future__ import annotations

from html import escape

from core.emaildesk.inbox_poller import InboxAlert
from handlers.common.views import fit


def inbox_alert_text(alert: InboxAlert) -> str:
    mailbox = escape(alert.mailbox)
    if alert.problem is None:
        return fit(
            f"📬 <b>The support inbox is read again</b> ({mailbox}).\n"
            "Customer emails that came in meanwhile get their reply drafts now."
        )
    fix = f"\n<b>What to do:</b> {escape(alert.fix)}" if alert.fix else ""
    return fit(
        f"📭 <b>I can't read the support inbox</b> ({mailbox}).\n"
        f"{escape(alert.problem)}{fix}\n\n"
        "Nothing is lost: the emails wait in the mailbox. I keep trying, and tell you "
        "when it works again. <code>python run_bot.py check</code> tries the settings."
    )

"""One sequence email as sent to one recipient: the unsubscribe link in the headers
(RFC 2369 List-Unsubscribe, RFC 8058 one-click) and in a footer of both parts."""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from core.mailing.outgoing import OutgoingEmail, build_message, text_to_html
from storage.repos.deliveries import EmailContent

ONE_CLICK = "List-Unsubscribe=One-Click"


def footer_text(url: str) -> str:
    return f"\n\n--\nYou get these emails because you subscribed.\nUnsubscribe: {url}\n"


def footer_html(url: str) -> str:
    link = escape(url, quote=True)
    return (
        '<hr><p style="font-size:12px;color:#666">You get these emails because you '
        f'subscribed. <a href="{link}">Unsubscribe</a></p>'
    )


def sequence_message(
    content: EmailContent, recipient: str, *, sender: str, message_id: str, unsubscribe_url: str
) -> EmailMessage:
    """The message for one recipient; HeaderInjection if a header is unsafe."""
    text = content.body_text.rstrip() + footer_text(unsubscribe_url)
    html = _with_footer(content.body_html or text_to_html(content.body_text), unsubscribe_url)
    email = OutgoingEmail(
        to=recipient, subject=content.subject, text=text, html=html, message_id=message_id,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK},
    )  # fmt: skip
    return build_message(email, sender=sender)


def _with_footer(html: str, url: str) -> str:
    """The footer before `</body>` when there is one, else at the end."""
    at = html.lower().rfind("</body>")
    if at < 0:
        return html + footer_html(url)
    return html[:at] + footer_html(url) + html[at:]

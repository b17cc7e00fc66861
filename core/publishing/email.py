"""The email publisher: a post as a plain-text and HTML email, over SMTP (aiosmtplib).

A target `email:someone@example.com` sends the post there. The Message-ID is stable per
post, so a mail system that sees the message twice can tell.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

import aiosmtplib

from core.config import SMTPSettings
from core.publishing.errors import OutcomeUnknown, PublishRejected, TransientError
from core.publishing.types import Progress, Publication


def build_message(publication: Publication, sender: str, domain: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = publication.title
    message["From"] = sender
    message["To"] = publication.target.address
    message["Message-ID"] = make_msgid(idstring=publication.idempotency_key, domain=domain)
    text = publication.caption.strip()
    tags = " ".join(publication.hashtags)
    message.set_content(f"{text}\n\n{tags}".strip() + "\n")
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    message.add_alternative(f"<html><body>{paragraphs}<p>{escape(tags)}</p></body></html>",
                            subtype="html")  # fmt: skip
    return message


class EmailPublisher:
    def __init__(self, smtp: SMTPSettings, *, timeout_s: float) -> None:
        if not smtp.host or not smtp.email_from:
            raise ValueError("email publishing needs SMTP_HOST and EMAIL_FROM")
        self._smtp = smtp
        self._timeout = timeout_s

    async def publish(self, publication: Publication, progress: Progress) -> None:
        if progress.sent:
            return
        sender = self._smtp.email_from or ""
        message = build_message(publication, sender, sender.rpartition("@")[2] or "localhost")
        try:
            await self._send(message)
        except aiosmtplib.SMTPException as error:
            raise _classified(error) from None
        progress.sent.append(str(message["Message-ID"]))

    async def _send(self, message: EmailMessage) -> None:
        smtp = self._smtp
        password = smtp.password.get_secret_value() if smtp.password else None
        await aiosmtplib.send(
            message, hostname=smtp.host, port=smtp.port, username=smtp.username,
            password=password, start_tls=smtp.starttls, timeout=self._timeout,
        )  # fmt: skip


def _classified(error: aiosmtplib.SMTPException) -> Exception:
    """Before the server took the message nothing went out; a cut-off DATA is unknown."""
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return TransientError(f"The mail server could not be reached ({error}).")
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return PublishRejected(f"The mail server refused the recipient ({error}).")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if 400 <= error.code < 500:
            return TransientError(f"The mail server said try later: {error.code} {error.message}")
        return PublishRejected(f"The mail server refused it: {error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPTimeoutError | aiosmtplib.SMTPServerDisconnected):
        return OutcomeUnknown(f"The mail server stopped answering ({error}); it may be sent.")
    return TransientError(f"Sending the email failed ({error}).")

"""The email publisher: a post as a plain-text and HTML email, over SMTP.

A target `email:someone@example.com` sends the post there. The Message-ID is stable per
post (`<post-7@domain>`), so a mail system that sees the message twice can tell.
Building and sending, and how an SMTP failure is classified, live in core.mailing.
"""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from core.config import SMTPSettings
from core.mailing.errors import HeaderInjection
from core.mailing.outgoing import OutgoingEmail, build_message, domain_of, stable_message_id
from core.mailing.smtp import send_one
from core.publishing.errors import PublishRejected
from core.publishing.types import Progress, Publication


def post_message(publication: Publication, sender: str) -> EmailMessage:
    text = publication.caption.strip()
    tags = " ".join(publication.hashtags)
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    email = OutgoingEmail(
        to=publication.target.address, subject=publication.title,
        text=f"{text}\n\n{tags}".strip() + "\n",
        html=f"<html><body>{paragraphs}<p>{escape(tags)}</p></body></html>",
        message_id=stable_message_id(publication.idempotency_key, domain_of(sender)),
    )  # fmt: skip
    return build_message(email, sender=sender)


class EmailPublisher:
    def __init__(self, smtp: SMTPSettings, *, timeout_s: float) -> None:
        if not smtp.host or not smtp.email_from:
            raise ValueError("email publishing needs SMTP_HOST and EMAIL_FROM")
        self._smtp = smtp
        self._timeout = timeout_s

    async def publish(self, publication: Publication, progress: Progress) -> None:
        if progress.sent:
            return
        try:
            message = post_message(publication, self._smtp.email_from or "")
        except HeaderInjection as error:  # a title with a line break, a bad address
            raise PublishRejected(f"The email could not be built: {error}") from None
        progress.sent.append(await send_one(self._smtp, message, timeout_s=self._timeout))

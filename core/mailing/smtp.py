"""Sending over SMTP (aiosmtplib): one message, or many over one reused connection.

How a failure is classified, so nothing is sent twice and nothing is given up too early:
- before DATA (no connection, a timeout, MAIL or RCPT answered 4xx): `MailTransient`,
  nothing was accepted;
- a 5xx at any step: `MailRejected`, sending it again won't help;
- DATA answered 4xx: `MailTransient` (the server said it did not take the message);
- a timeout or a dropped connection once DATA started: `MailOutcomeUnknown`, the server
  may have taken the message, so it is never resent without a human.

Port 465 means implicit TLS; otherwise SMTP_STARTTLS upgrades the connection.
"""

from __future__ import annotations

from email.message import EmailMessage
from types import TracebackType

import aiosmtplib

from core.config import SMTPSettings
from core.errors import FeatureOff
from core.mailing.errors import MailOutcomeUnknown, MailRejected, MailTransient
from core.mailing.outgoing import address_of

SMTP_OFF = "Email sending is off: set SMTP_HOST and EMAIL_FROM."
IMPLICIT_TLS_PORT = 465


class SmtpSender:
    """A connection to the mail server, opened on the first send and reused after it.

    Use as `async with SmtpSender(...) as smtp:` for a batch; a connection that broke or
    was left mid-transaction is dropped and the next send opens a fresh one.
    """

    def __init__(self, settings: SMTPSettings, *, timeout_s: float) -> None:
        if not settings.host or not settings.email_from:
            raise FeatureOff(SMTP_OFF)
        self._settings = settings
        self._timeout = timeout_s
        self._client: aiosmtplib.SMTP | None = None

    @property
    def sender(self) -> str:
        """The From header (EMAIL_FROM as configured, perhaps with a display name)."""
        return self._settings.email_from or ""

    async def __aenter__(self) -> SmtpSender:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def send(self, message: EmailMessage) -> str:
        """Send to the message's one `To` address; its Message-ID. Raises a mail error."""
        client = await self._connected()
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        try:
            await client.mail(address_of(self.sender))
            await client.rcpt(address_of(str(message["To"])))
        except aiosmtplib.SMTPException as error:
            await self._after(error)
            raise _before_data(error) from None
        try:
            await client.data(raw)
        except aiosmtplib.SMTPException as error:
            await self._after(error)
            raise _in_data(error) from None
        return str(message["Message-ID"])

    async def open(self) -> None:
        """Connect now (a batch checks the server before it claims a message as sent)."""
        await self._connected()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except aiosmtplib.SMTPException:
            client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        self._client = None
        client = self._new_client()
        try:
            await client.connect()
        except aiosmtplib.SMTPException as error:
            client.close()
            raise _connecting(error) from None
        self._client = client
        return client

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self._settings
        implicit = s.port == IMPLICIT_TLS_PORT
        return aiosmtplib.SMTP(
            hostname=s.host, port=s.port, username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            use_tls=implicit, start_tls=s.starttls and not implicit, timeout=self._timeout,
        )  # fmt: skip

    async def _after(self, error: aiosmtplib.SMTPException) -> None:
        """Leave the connection ready for the next message, or drop it."""
        client = self._client
        if client is None:
            return
        if isinstance(error, aiosmtplib.SMTPResponseException) and client.is_connected:
            try:
                await client.rset()
                return
            except aiosmtplib.SMTPException:
                pass
        self._client = None
        client.close()


async def send_one(settings: SMTPSettings, message: EmailMessage, *, timeout_s: float) -> str:
    """Send one message over a connection of its own; its Message-ID."""
    async with SmtpSender(settings, timeout_s=timeout_s) as smtp:
        return await smtp.send(message)


def _connecting(error: aiosmtplib.SMTPException) -> MailTransient:
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return MailTransient(
            f"The mail server refused the login ({error.code} {error.message}): "
            "check SMTP_USERNAME and SMTP_PASSWORD.", error.code,
        )  # fmt: skip
    return MailTransient(f"The mail server could not be reached ({error}).")


def _before_data(error: aiosmtplib.SMTPException) -> MailTransient | MailRejected:
    """Nothing was handed over yet: a 5xx is final, anything else can be tried again."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        what = "recipient" if isinstance(error, aiosmtplib.SMTPRecipientRefused) else "message"
        said = f"{error.code} {error.message}"
        if error.code >= 500:
            return MailRejected(f"The mail server refused the {what}: {said}", error.code)
        return MailTransient(f"The mail server said try later: {said}", error.code)
    return MailTransient(f"The mail server stopped answering before the message went ({error}).")


def _in_data(error: aiosmtplib.SMTPException) -> MailTransient | MailRejected | MailOutcomeUnknown:
    """A reply code means the server decided; a cut-off connection leaves it unknown."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _before_data(error)
    return MailOutcomeUnknown(
        f"The mail server stopped answering while taking the message ({error}); "
        "it may have been delivered, so it will not be sent again by itself."
    )

"""A customer email given as fields (the API's JSON, a paste in Telegram), checked.

    {"from", "to", "subject", "text", "html"?, "message_id"?, "in_reply_to"?,
     "references"?, "order_number"?, "headers"?}

`headers` (optional, {name: value}) are the mail's other headers as a provider's inbound
webhook passes them: Auto-Submitted, Precedence, List-Id and the like show automatic
mail (core.emaildesk.automatic), which is stored but never answered.

Every problem is one line ("from: is not an email address"), all of them at once, and
nothing is stored until the whole mail is right. Header fields refuse CR and LF: they
end up in the reply's headers.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.campaigns.problems import problem_lines
from core.emaildesk import addresses
from core.emaildesk.automatic import classify
from core.emaildesk.html_text import html_to_text
from core.emaildesk.types import ParsedEmail
from core.errors import ValidationFailed
from core.orders.numbers import normalise, problem
from domain.emaildesk import MAX_EMAIL_BYTES

_Header = Annotated[str, Field(max_length=998)]


def _no_line_breaks(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be one line (no CR or LF)")
    return value.strip()


class InboundFields(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=False)

    from_: str = Field(alias="from", max_length=998)
    to: str | list[str]
    subject: _Header = ""
    text: str = Field("", max_length=MAX_EMAIL_BYTES)
    html: str | None = Field(None, max_length=MAX_EMAIL_BYTES)
    message_id: _Header | None = None
    in_reply_to: _Header | None = None
    references: str | list[str] | None = None
    order_number: str | None = Field(None, max_length=70)
    headers: dict[_Header, _Header] | None = Field(None, max_length=200)

    @field_validator("from_")
    @classmethod
    def _sender(cls, value: str) -> str:
        if addresses.mailbox(value) is None:
            raise ValueError(f"is not an email address ({value[:80]!r})")
        return value.strip()

    @field_validator("to")
    @classmethod
    def _recipients(cls, value: str | list[str]) -> str | list[str]:
        given = value if isinstance(value, list) else [value]
        for item in given:
            _no_line_breaks(item)
            if not addresses.addresses(item):
                raise ValueError(f"is not an email address ({item[:80]!r})")
        return value

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return _no_line_breaks(value)

    @field_validator("message_id", "in_reply_to")
    @classmethod
    def _message_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = _no_line_breaks(value)
        bracketed = value if value.startswith("<") else f"<{value}>"
        if addresses.message_id(bracketed) != bracketed:
            raise ValueError(f"is not a message id like <id@host> ({value[:80]!r})")
        return bracketed

    @field_validator("order_number")
    @classmethod
    def _order_number(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        number = normalise(value)
        if (why := problem(number)) is not None:
            raise ValueError(why)
        return number

    def parsed(self) -> ParsedEmail:
        name, address = addresses.mailbox(self.from_) or ("", self.from_)
        recipients = self.to if isinstance(self.to, list) else [self.to]
        references = self.references if isinstance(self.references, list) else [self.references]
        text = self.text.strip() or html_to_text(self.html or "")
        given = {name.strip().lower(): value for name, value in (self.headers or {}).items()}
        automatic = classify(
            lambda name: given.get(name.lower(), ""), sender=address, subject=self.subject,
            report=None,
        )  # fmt: skip
        return ParsedEmail(
            from_address=address,
            from_name=name,
            subject=self.subject,
            text=text,
            html=self.html or None,
            to_addresses=tuple(a for item in recipients for a in addresses.addresses(item)),
            message_id=self.message_id,
            in_reply_to=self.in_reply_to,
            references=addresses.message_ids(" ".join(r for r in references if r)),
            order_number=self.order_number,
            automatic=automatic,
        )


def validate_fields(data: object) -> ParsedEmail:
    """The mail the fields describe, or ValidationFailed with one line per problem."""
    if not isinstance(data, dict):
        raise ValidationFailed(["body: must be a JSON object"])
    problems = _text_problem(data)
    try:
        fields = InboundFields.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problem_lines(exc) + problems) from None
    if problems:
        raise ValidationFailed(problems)
    return fields.parsed()


def _text_problem(data: dict[str, Any]) -> list[str]:
    """Checked apart from the model so it is listed with every other problem."""
    text, html = data.get("text"), data.get("html")
    given = [value for value in (text, html) if isinstance(value, str) and value.strip()]
    return [] if given else ["text: is required (or html)"]

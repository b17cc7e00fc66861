"""Telegram's HTML parse mode, as the Bot API server applies it to `parse_mode=HTML` text.

The error wording follows the Bot API server (TDLib), so a test sees the same
"can't parse entities: ..." description the real Telegram would send. One deliberate
difference: TDLib renders an unknown named entity (`&nbsp;`) or a bare `&` literally, so
the user would see the raw markup. That is always a bug in the bot, so here it is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Tag name -> MessageEntity type. `span` only with class="tg-spoiler" (checked separately).
_ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-time": "date_time",
}

NAMED_ENTITIES: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]*);")
_ATTRIBUTE_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s>\"']*")
_SPACE = " \t\n\r\f\v"


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str() is the Bot API description tail."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"can't parse entities: {reason}")


@dataclass(frozen=True)
class ParsedText:
    """Plain text as Telegram stores it, plus the entities the markup produced."""

    text: str
    entities: list[dict[str, Any]]


def utf16_len(text: str) -> int:
    """Length the way Telegram counts it: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str, *, allow_tg_time: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, or raise HtmlParseError."""
    return _HtmlParser(source, allow_tg_time=allow_tg_time).parse()


_MARKUP = re.compile("[<&]")


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    utf16_start: int
    language: str | None = None  # set on <pre> by a nested <code class="language-x">


@dataclass
class _HtmlParser:
    source: str
    allow_tg_time: bool
    pos: int = 0
    utf16_pos: int = 0
    pieces: list[str] = field(default_factory=list)
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def parse(self) -> ParsedText:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "<":
                self._tag()
            elif char == "&":
                self._entity()
            else:  # a run of plain text up to the next markup character, in one piece
                end = _MARKUP.search(self.source, self.pos)
                stop = end.start() if end else len(self.source)
                self._emit(self.source[self.pos : stop])
                self.pos = stop
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.pieces), self.entities)

    # -- helpers -------------------------------------------------------------------------

    def _byte_offset(self, pos: int) -> int:
        # TDLib reports positions as UTF-8 byte offsets into the original text.
        return len(self.source[:pos].encode("utf-8"))

    def _emit(self, text: str) -> None:
        self.pieces.append(text)
        self.utf16_pos += utf16_len(text)

    def _entity(self) -> None:
        match = _ENTITY_RE.match(self.source, self.pos)
        offset = self._byte_offset(self.pos)
        if match is None:
            raise HtmlParseError(
                f'Character "&" at byte offset {offset} must be escaped as "&amp;"'
            )
        self._emit(_decode_entity(match.group(0), match.group(1), offset))
        self.pos = match.end()

    # -- tags ----------------------------------------------------------------------------

    def _tag(self) -> None:
        begin = self.pos
        if self.source.startswith("</", begin):
            self._end_tag(begin)
        else:
            self._start_tag(begin)

    def _start_tag(self, begin: int) -> None:
        end = begin + 1
        while end < len(self.source) and self.source[end] not in _SPACE + ">":
            end += 1
        if end >= len(self.source):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
        name = self.source[begin + 1 : end].lower()
        if name not in _ENTITY_TYPES or (name == "tg-time" and not self.allow_tg_time):
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(begin)}'
            )
        self.pos = end
        attributes = self._attributes(name, begin)
        _check_attributes(name, attributes, self._byte_offset(begin))
        self.stack.append(_OpenTag(name, attributes, self.utf16_pos))

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        attributes: dict[str, str] = {}
        while True:
            self._skip_spaces()
            if self.pos >= len(self.source):
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {self._byte_offset(begin)}"
                )
            if self.source[self.pos] == ">":
                self.pos += 1
                return attributes
            name_match = _ATTRIBUTE_NAME_RE.match(self.source, self.pos)
            if name_match is None:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self._byte_offset(begin)}"
                )
            self.pos = name_match.end()
            attributes[name_match.group(0).lower()] = self._attribute_value(tag, begin)

    def _attribute_value(self, tag: str, begin: int) -> str:
        self._skip_spaces()
        if not self.source.startswith("=", self.pos):
            return ""  # a bare flag such as <blockquote expandable>
        self.pos += 1
        self._skip_spaces()
        quote = self.source[self.pos : self.pos + 1]
        if quote in ("'", '"'):
            close = self.source.find(quote, self.pos + 1)
            if close < 0:
                raise HtmlParseError(
                    f'Unclosed attribute value in the tag "{tag}" at byte offset '
                    f"{self._byte_offset(begin)}"
                )
            raw = self.source[self.pos + 1 : close]
            self.pos = close + 1
        else:
            match = _UNQUOTED_VALUE_RE.match(self.source, self.pos)
            raw = match.group(0) if match else ""
            self.pos += len(raw)
        return _decode_attribute(raw, self._byte_offset(begin))

    def _skip_spaces(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos] in _SPACE:
            self.pos += 1

    def _end_tag(self, begin: int) -> None:
        close = self.source.find(">", begin)
        offset = self._byte_offset(begin)
        if close < 0:
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        name = self.source[begin + 2 : close].strip(_SPACE).lower()
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        top = self.stack[-1]
        if name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.pos = close + 1
        self._close_entity(top)

    def _close_entity(self, tag: _OpenTag) -> None:
        length = self.utf16_pos - tag.utf16_start
        language = _code_language(tag)
        if tag.name == "code" and language and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x"> is one "pre" entity with a language.
            self.stack[-1].language = language
            return
        if length == 0 or (tag.name == "a" and "href" not in tag.attributes):
            return  # Telegram drops empty entities and links without a target
        entity: dict[str, Any] = {
            "type": _ENTITY_TYPES[tag.name],
            "offset": tag.utf16_start,
            "length": length,
        }
        entity.update(_entity_extras(tag))
        self.entities.append(entity)


def _code_language(tag: _OpenTag) -> str | None:
    css_class = tag.attributes.get("class", "")
    return css_class.removeprefix("language-") if css_class.startswith("language-") else None


def _entity_extras(tag: _OpenTag) -> dict[str, Any]:
    attributes = tag.attributes
    if tag.name == "a":
        return {"url": attributes["href"]}
    if tag.name == "tg-emoji":
        return {"custom_emoji_id": attributes["emoji-id"]}
    if tag.name == "pre" and tag.language:
        return {"language": tag.language}
    if tag.name == "blockquote" and "expandable" in attributes:
        return {"type": "expandable_blockquote"}
    if tag.name == "tg-time":
        extras: dict[str, Any] = {"unix_time": int(attributes["unix"])}
        if attributes.get("format"):
            extras["date_time_format"] = attributes["format"]
        return extras
    return {}


def _check_attributes(tag: str, attributes: dict[str, str], offset: int) -> None:
    """The attribute rules that make TDLib reject a tag (unknown attributes are ignored)."""
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if tag == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise HtmlParseError(
            f'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset {offset}'
        )
    if tag == "tg-time" and not re.fullmatch(r"-?[0-9]+", attributes.get("unix", "")):
        raise HtmlParseError(
            f'Tag "tg-time" must have an integer attribute "unix" at byte offset {offset}'
        )


def _decode_entity(whole: str, body: str, offset: int) -> str:
    if body.startswith("#"):
        number = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if 0 < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF:
            return chr(number)
        raise HtmlParseError(f'Invalid numeric HTML entity "{whole}" at byte offset {offset}')
    if body in NAMED_ENTITIES:
        return NAMED_ENTITIES[body]
    raise HtmlParseError(
        f'Unsupported HTML entity "{whole}" at byte offset {offset}; only &lt; &gt; &amp; '
        "&quot; and numeric entities are supported"
    )


def _decode_attribute(raw: str, offset: int) -> str:
    # Attribute values may carry entities too (href="...?a=1&amp;b=2").
    decoded: list[str] = []
    pos = 0
    for match in _ENTITY_RE.finditer(raw):
        decoded.append(raw[pos : match.start()])
        decoded.append(_decode_entity(match.group(0), match.group(1), offset))
        pos = match.end()
    decoded.append(raw[pos:])
    return "".join(decoded)

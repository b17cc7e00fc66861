"""The official Bot API spec (JSON) and a validator for requests made against it.

`validate_call(method, params)` answers "would the real Telegram accept this?" with a list
of human-readable problems (empty means fine). Limits are read from the field descriptions
("1-4096 characters after entities parsing", "1-64 bytes", "2-10 items", ...) so a new spec
version brings its limits with it; the few rules the descriptions do not state precisely are
in `_EXTRA_LIMITS`.

Values arrive the way PTB sends them: form-encoded strings, nested objects as JSON strings.
`decode_params` turns them into what Telegram would understand ("123" -> 123 for an
Integer, "true" -> True, JSON strings -> dicts/lists); validation then is strict, which
also makes nested JSON strict, as it is on the real server.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.data import TELEGRAM_SPEC
from tests.doubles.telegram_html import HtmlParseError, ParsedText, parse_html, utf16_len

# The repository copy (tests/data/README.md); TELEGRAM_BOT_API_SPEC tries another version.
SPEC_PATH = Path(os.environ.get("TELEGRAM_BOT_API_SPEC", str(TELEGRAM_SPEC)))

PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
_INT64 = 2**63
_ATTACH = "attach://"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class ObjectSpec:
    """A method (its parameters) or a type (its fields); abstract types have subtypes."""

    name: str
    fields: Mapping[str, FieldSpec]
    description: str
    subtypes: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()


@dataclass(frozen=True)
class BotApiSpec:
    version: str
    methods: Mapping[str, ObjectSpec]  # keyed by lower-case name: method names ignore case
    types: Mapping[str, ObjectSpec]

    def method(self, name: str) -> ObjectSpec | None:
        return self.methods.get(name.lower())


@dataclass(frozen=True)
class Limit:
    low: int
    high: int
    unit: str  # "characters" (UTF-16 code units), "bytes" (UTF-8) or "items"
    after_parsing: bool = False


class _Uploaded:
    """Marks a parameter supplied as a multipart file part rather than a form value."""

    def __repr__(self) -> str:
        return "<uploaded file>"


UPLOADED = _Uploaded()


# -- loading ------------------------------------------------------------------------------


def _object_spec(raw: Mapping[str, Any]) -> ObjectSpec:
    fields = {
        f["name"]: FieldSpec(
            name=f["name"],
            types=tuple(f["types"]),
            required=bool(f["required"]),
            description=f.get("description", ""),
        )
        for f in raw.get("fields", [])
    }
    return ObjectSpec(
        name=raw["name"],
        fields=fields,
        description=" ".join(raw.get("description", [])),
        subtypes=tuple(raw.get("subtypes", ())),
        returns=tuple(raw.get("returns", ())),
    )


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> BotApiSpec:
    """Read and index the spec once per process (it is ~650 kB of JSON)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return BotApiSpec(
        version=str(raw.get("version", "")),
        methods={name.lower(): _object_spec(m) for name, m in raw["methods"].items()},
        types={name: _object_spec(t) for name, t in raw["types"].items()},
    )


# -- rules read from descriptions ---------------------------------------------------------

_RANGE_RE = re.compile(
    r"(\d+)-(\d+) (characters|bytes)( after entit(?:y|ies) parsing)?", re.IGNORECASE
)
# "2-10 items", "1-100 identifiers", "0-12 two-letter ..."; not "ISO 3166-1 alpha-2".
_ITEMS_RE = re.compile(r"\b(\d+)-(\d+) (?!alpha)[a-z][a-z-]*")
_AT_MOST_RE = re.compile(r"At most (\d+) \w+ can be specified")
_VALUES_BETWEEN_RE = re.compile(r"Values between (\d+)-(\d+) are accepted")
# The quoted values up to the end of the sentence (".WEBP" inside it is not an end).
_ONE_OF_RE = re.compile(r"[Mm]ust be one of ((?:\"[^\"]+\"(?:(?!\.\s|\.$)[^\"])*)+)")
_ACTIONS_RE = re.compile(r"Choose one, depending on what the user is about to receive: (.*)")
_CONST_RE = re.compile(r"must be ([a-z_]+)$")
_REQUIRED_IF_RE = re.compile(
    r"[Rr]equired if ([\w ]+?) (?:is|are) not specified|"
    r"[Rr]equired if (\w+) isn't specified"
)
# "Exactly one of the fields other than text, icon_custom_emoji_id, and style must be used"
_EXCLUSIVE_OTHER_RE = re.compile(
    r"(Exactly|At most) one of the fields other than ([\w, ]+?) must be"
)
_EXCLUSIVE_PAIR_RE = re.compile(r"Exactly one of the fields (\w+) or (\w+) must be used")
_EXCLUSIVE_OPTIONAL_RE = re.compile(
    r"(?:must use (exactly)|(At most)) one of the optional fields", re.IGNORECASE
)

# Rules the descriptions leave implicit: Telegram rejects an empty command list.
_EXTRA_LIMITS: dict[tuple[str, str], Limit] = {
    ("setMyCommands", "commands"): Limit(1, 100, "items"),
}


@functools.cache
def field_limit(owner: str, field: FieldSpec) -> Limit | None:
    """The length/size limit stated in a field's description, if any."""
    if (owner, field.name) in _EXTRA_LIMITS:
        return _EXTRA_LIMITS[(owner, field.name)]
    text = field.description
    if any(t.startswith("Array of") for t in field.types):
        if match := _ITEMS_RE.search(text):
            return Limit(int(match[1]), int(match[2]), "items")
        if match := _AT_MOST_RE.search(text):
            return Limit(0, int(match[1]), "items")
        return None
    if "String" not in field.types:
        return None
    if match := _RANGE_RE.search(text):
        return Limit(int(match[1]), int(match[2]), match[3].lower(), bool(match[4]))
    return None


@functools.cache
def integer_range(field: FieldSpec) -> tuple[int, int] | None:
    match = _VALUES_BETWEEN_RE.search(field.description)
    return (int(match[1]), int(match[2])) if match else None


@functools.cache
def allowed_values(field: FieldSpec) -> frozenset[str] | None:
    """Enumerations stated in prose: 'Must be one of "a", "b" or "c"', chat actions."""
    if match := _ONE_OF_RE.search(field.description):
        return frozenset(re.findall(r'"([^"]+)"', match[1]))
    if match := _ACTIONS_RE.search(field.description):
        return frozenset(re.findall(r"\b([a-z]+(?:_[a-z]+)*) (?:for|or)\b", match[1]))
    return None


@functools.cache
def type_constant(field: FieldSpec) -> str | None:
    """The fixed `type` of a concrete subtype: 'Type of the media, must be photo'."""
    if field.name != "type":
        return None
    match = _CONST_RE.search(field.description.strip().rstrip("."))
    return match[1] if match else None


def _conditionally_required(spec: ObjectSpec, field: FieldSpec) -> tuple[str, ...]:
    """Fields whose joint presence waives `field` ('Required if X is not specified')."""
    names = _waivers_named(field)
    return names if all(n in spec.fields for n in names) else ()


@functools.cache
def _waivers_named(field: FieldSpec) -> tuple[str, ...]:
    # Cached: every request checks every absent field, and the descriptions never change.
    match = _REQUIRED_IF_RE.search(field.description)
    if not match:
        return ()
    words = re.findall(r"\w+", match[1] or match[2])
    return tuple(w for w in words if w not in ("and", "or"))


PresenceRules = tuple[tuple[FieldSpec, tuple[str, ...]], ...]
_PRESENCE_RULES: dict[int, tuple[ObjectSpec, PresenceRules]] = {}


def _presence_rules(spec: ObjectSpec) -> PresenceRules:
    """The fields that must be present, always or unless others are: the rest never matter."""
    known = _PRESENCE_RULES.get(id(spec))
    if known is None or known[0] is not spec:  # keyed by identity: specs hold dicts
        every = [(field, _conditionally_required(spec, field)) for field in spec.fields.values()]
        rules = tuple((field, waivers) for field, waivers in every if field.required or waivers)
        known = _PRESENCE_RULES[id(spec)] = (spec, rules)
    return known[1]


_EXCLUSIVE_GROUPS: dict[int, tuple[ObjectSpec, tuple[str, frozenset[str]] | None]] = {}


def _exclusive_group(spec: ObjectSpec) -> tuple[str, frozenset[str]] | None:
    """('exactly' | 'at most', field names) from the type's description, if it says so."""
    known = _EXCLUSIVE_GROUPS.get(id(spec))
    if known is None or known[0] is not spec:  # keyed by identity: specs hold dicts
        known = _EXCLUSIVE_GROUPS[id(spec)] = (spec, _read_exclusive_group(spec))
    return known[1]


def _read_exclusive_group(spec: ObjectSpec) -> tuple[str, frozenset[str]] | None:
    text = spec.description
    if match := _EXCLUSIVE_OTHER_RE.search(text):
        excluded = {w for w in re.findall(r"\w+", match[2]) if w != "and"}
        return match[1].lower(), frozenset(set(spec.fields) - excluded)
    if match := _EXCLUSIVE_PAIR_RE.search(text):
        return "exactly", frozenset({match[1], match[2]})
    if match := _EXCLUSIVE_OPTIONAL_RE.search(text):
        optional = frozenset(name for name, f in spec.fields.items() if not f.required)
        return ("exactly" if match[1] else "at most"), optional
    return None


def parse_mode_field(spec: ObjectSpec, name: str) -> str | None:
    """The sibling that selects how `name` is parsed: `quote_parse_mode`, `parse_mode`."""
    if f"{name}_parse_mode" in spec.fields:
        return f"{name}_parse_mode"
    if name in ("text", "caption", "message_text") and "parse_mode" in spec.fields:
        return "parse_mode"
    return None


def render_text(text: str, parse_mode: object) -> ParsedText:
    """The text Telegram stores for `text` under `parse_mode` (raises HtmlParseError).

    MarkdownV2 is accepted but not parsed: its length is measured on the raw text.
    """
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        parsed = _parse_html_once(text, _spec_has_date_time())
        return ParsedText(parsed.text, [dict(entity) for entity in parsed.entities])
    return ParsedText(text, [])


@functools.lru_cache(maxsize=512)
def _parse_html_once(text: str, allow_tg_time: bool) -> ParsedText:
    # Each text is checked against the limits and then rendered for storage: one parse
    # serves both, so the double costs a bot that sends HTML no more than one that doesn't.
    return parse_html(text, allow_tg_time=allow_tg_time)


def _spec_has_date_time() -> bool:
    entity = load_spec().types.get("MessageEntity")
    return entity is not None and '"date_time"' in entity.fields["type"].description


# -- decoding form values -------------------------------------------------------------------


def _is_json_type(type_name: str) -> bool:
    return type_name.startswith("Array of") or type_name not in PRIMITIVES


def _coerce(value: str, types: tuple[str, ...]) -> object:
    """A form-encoded string as Telegram reads it for a field of these types."""
    if any(_is_json_type(t) for t in types):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict | list):
            return decoded
    for type_name in types:
        if type_name == "Integer" and re.fullmatch(r"[+-]?[0-9]+", value):
            return int(value)
        if type_name == "Float":
            try:
                number = float(value)
            except ValueError:
                continue
            if math.isfinite(number):
                return number
        if type_name == "Boolean" and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
    return value


def decode_params(method: ObjectSpec, raw: Mapping[str, object]) -> dict[str, Any]:
    """Top-level parameters as Telegram understands them (see the module docstring)."""
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        field = method.fields.get(name)
        if field is not None and isinstance(value, str):
            value = _coerce(value, field.types)
        elif (
            field is not None
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and field.types == ("String",)
        ):
            value = str(value)  # a JSON body may send ids as numbers; Telegram accepts that
        decoded[name] = value
    return decoded


# -- validation -----------------------------------------------------------------------------


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind_matches(value: object, type_name: str) -> bool:
    if type_name.startswith("Array of"):
        return isinstance(value, list)
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "InputFile":
        return value is UPLOADED or (isinstance(value, str) and value.startswith(_ATTACH))
    return isinstance(value, dict)


class _Validator:
    def __init__(self, spec: BotApiSpec, uploads: Collection[str]) -> None:
        self.spec = spec
        self.uploads = uploads
        self.problems: list[str] = []

    def fork(self) -> _Validator:
        return _Validator(self.spec, self.uploads)

    # objects --------------------------------------------------------------------------

    def check_object(self, spec: ObjectSpec, values: Mapping[str, Any], path: str) -> None:
        for name in values:
            if name not in spec.fields:
                self.problems.append(f'unknown field "{_join(path, name)}" for {spec.name}')
        self._check_required(spec, values, path)
        self._check_exclusive(spec, values, path)
        for name, value in values.items():
            field = spec.fields.get(name)
            if field is not None:
                self.check_value(value, field.types, _join(path, name), field)
        self._check_texts(spec, values, path)

    def _check_required(self, spec: ObjectSpec, values: Mapping[str, Any], path: str) -> None:
        for field, waivers in _presence_rules(spec):
            if field.name in values:
                continue
            if field.required:
                self.problems.append(_missing(spec, field.name, path))
            elif waivers and not all(w in values for w in waivers):
                self.problems.append(
                    f"{_missing(spec, field.name, path)} unless {' and '.join(waivers)} "
                    f"{'is' if len(waivers) == 1 else 'are'} given"
                )

    def _check_exclusive(self, spec: ObjectSpec, values: Mapping[str, Any], path: str) -> None:
        group = _exclusive_group(spec)
        if group is None:
            return
        rule, names = group
        used = sorted(names & set(values))
        if len(used) > 1 or (rule == "exactly" and not used):
            where = path or spec.name
            self.problems.append(
                f"{where}: {rule} one of {', '.join(sorted(names))} must be used, "
                f"got {', '.join(used) or 'none'}"
            )

    # values ---------------------------------------------------------------------------

    def check_value(
        self, value: object, types: tuple[str, ...], path: str, field: FieldSpec | None = None
    ) -> None:
        candidates = [t for t in types if _kind_matches(value, t)]
        if not candidates:
            self.problems.append(_type_problem(value, types, path))
            return
        if len(candidates) == 1:
            self._check_single(value, candidates[0], path, field)
            return
        if isinstance(value, list):
            self._check_mixed_array(value, candidates, path)
            return
        candidates = self._narrow_by_type_field(value, candidates, path)
        if not candidates:
            return
        attempts: list[tuple[tuple[int, int], _Validator]] = []
        for type_name in candidates:
            sub = self.fork()
            sub._check_single(value, type_name, path, field)
            if not sub.problems:
                return
            attempts.append(((-self._overlap(value, type_name), len(sub.problems)), sub))
        # Report the alternative the sender most plausibly meant (most matching keys).
        self.problems.extend(min(attempts, key=lambda a: a[0])[1].problems)

    def _check_mixed_array(self, items: list[Any], types: list[str], path: str) -> None:
        """'Array of A' or 'Array of B': an album may mix photos and videos, so each item
        may be any of the item types, except that documents and audio only group with
        their own kind (the sendMediaGroup rule; no other method has array alternatives).
        """
        item_types = tuple(t.removeprefix("Array of ") for t in types)
        for index, item in enumerate(items):
            self.check_value(item, item_types, f"{path}[{index}]")
        kinds = {str(item.get("type")) for item in items if isinstance(item, dict)}
        if len(kinds) > 1 and kinds & {"audio", "document"}:
            self.problems.append(
                f"{path}: documents and audio files can be only grouped in an album with "
                f"messages of the same type, got {', '.join(sorted(kinds))}"
            )

    def _narrow_by_type_field(self, value: object, candidates: list[str], path: str) -> list[str]:
        """Alternatives told apart by a fixed `type` ("photo", "video"): keep the one named."""
        constants: dict[str, str] = {}
        for type_name in candidates:
            spec = self.spec.types.get(type_name)
            type_field = spec.fields.get("type") if spec else None
            constant = type_constant(type_field) if type_field else None
            if constant is None:
                return candidates
            constants[constant] = type_name
        assert isinstance(value, dict)
        chosen = constants.get(str(value.get("type")))
        if chosen is None:
            self.problems.append(
                f"{_join(path, 'type')} must be one of {', '.join(sorted(constants))}, "
                f"got {value.get('type')!r}"
            )
            return []
        return [chosen]

    def _overlap(self, value: object, type_name: str) -> int:
        spec = self.spec.types.get(type_name)
        if not isinstance(value, dict) or spec is None:
            return 0
        return len(set(value) & set(spec.fields))

    def _check_single(
        self, value: object, type_name: str, path: str, field: FieldSpec | None
    ) -> None:
        if type_name.startswith("Array of"):
            assert isinstance(value, list)
            item_type = type_name.removeprefix("Array of ")
            for index, item in enumerate(value):
                self.check_value(item, (item_type,), f"{path}[{index}]")
        elif type_name in PRIMITIVES:
            self._check_primitive(value, type_name, path, field)
        else:
            assert isinstance(value, dict)
            self._check_named_type(value, type_name, path)

    def _check_primitive(
        self, value: object, type_name: str, path: str, field: FieldSpec | None
    ) -> None:
        if isinstance(value, str) and value.startswith(_ATTACH):
            if value.removeprefix(_ATTACH) not in self.uploads:
                self.problems.append(f'{path}: file "{value}" is not among the uploaded parts')
            return
        if type_name == "Integer" and isinstance(value, int):
            bounds = integer_range(field) if field else None
            if not -_INT64 <= value < _INT64:
                self.problems.append(f"{path}: integer {value} is out of 64-bit range")
            elif bounds and not bounds[0] <= value <= bounds[1]:
                self.problems.append(f"{path} must be {bounds[0]}-{bounds[1]}, got {value}")
        if type_name == "String" and isinstance(value, str) and field is not None:
            self._check_string_value(value, path, field)

    def _check_string_value(self, value: str, path: str, field: FieldSpec) -> None:
        allowed = allowed_values(field)
        if allowed is not None and value not in allowed:
            self.problems.append(f"{path}: {value!r} is not one of {', '.join(sorted(allowed))}")
        constant = type_constant(field)
        if constant is not None and value != constant:
            self.problems.append(f'{path} must be "{constant}", got {value!r}')
        if "only lowercase English letters, digits and underscores" in field.description and (
            not re.fullmatch(r"[a-z0-9_]*", value)
        ):
            self.problems.append(
                f"{path}: {value!r} may contain only lowercase English letters, "
                "digits and underscores"
            )
        if field.name.endswith("parse_mode") and value and value.lower() not in PARSE_MODES:
            self.problems.append(f"unsupported parse_mode {value!r} in {path}")

    def _check_named_type(self, value: dict[str, Any], type_name: str, path: str) -> None:
        spec = self.spec.types.get(type_name)
        if spec is None:
            self.problems.append(f"{path}: unknown type {type_name} in the spec")
        elif spec.subtypes:
            self._check_subtypes(value, spec, path)
        elif spec.fields:
            self.check_object(spec, value, path)
        # A type without fields (CallbackGame) is an empty placeholder object: anything goes.

    def _check_subtypes(self, value: dict[str, Any], spec: ObjectSpec, path: str) -> None:
        by_type: dict[str, str] = {}
        for name in spec.subtypes:
            sub = self.spec.types.get(name)
            type_field = sub.fields.get("type") if sub else None
            constant = type_constant(type_field) if type_field else None
            if constant:
                by_type[constant] = name
        if len(by_type) == len(spec.subtypes):
            chosen = by_type.get(str(value.get("type")))
            if chosen is None:
                self.problems.append(
                    f"{_join(path, 'type')} must be one of {', '.join(sorted(by_type))} "
                    f"for {spec.name}, got {value.get('type')!r}"
                )
                return
            self.check_value(value, (chosen,), path)
        else:
            self.check_value(value, spec.subtypes, path)

    # text limits ------------------------------------------------------------------------

    def _check_texts(self, spec: ObjectSpec, values: Mapping[str, Any], path: str) -> None:
        for name, value in values.items():
            field = spec.fields.get(name)
            if field is None:
                continue
            limit = field_limit(spec.name, field)
            if isinstance(value, str) and "String" in field.types:
                self._check_text(spec, values, field, limit, path)
            elif limit and limit.unit == "items" and isinstance(value, list):
                self._check_size(len(value), limit, _join(path, name), spec.name)

    def _check_text(
        self,
        spec: ObjectSpec,
        values: Mapping[str, Any],
        field: FieldSpec,
        limit: Limit | None,
        path: str,
    ) -> None:
        text: str = values[field.name]
        mode_field = parse_mode_field(spec, field.name)
        if mode_field is not None:
            try:
                text = render_text(text, values.get(mode_field)).text
            except HtmlParseError as exc:
                self.problems.append(f"{exc} (in {_join(path, field.name)})")
                return
        if limit is None or text.startswith(_ATTACH):
            return
        if limit.after_parsing:
            text = text.strip()  # Telegram trims surrounding whitespace before counting
        size = len(text.encode()) if limit.unit == "bytes" else utf16_len(text)
        self._check_size(size, limit, _join(path, field.name), spec.name)

    def _check_size(self, size: int, limit: Limit, path: str, owner: str) -> None:
        if limit.low <= size <= limit.high:
            return
        unit = "UTF-16 code units" if limit.unit == "characters" else limit.unit
        detail = (
            f"{path} is {size} {unit}"
            f"{' after entity parsing' if limit.after_parsing else ''}, "
            f"must be {limit.low}-{limit.high}"
        )
        wording = _telegram_wording(path.rsplit(".", 1)[-1], owner, too_long=size > limit.high)
        self.problems.append(f"{wording}: {detail}" if wording else detail)


# (owner, field) -> the description the real Telegram gives for a size violation.
_TELEGRAM_WORDING: dict[tuple[str, str], tuple[str, str]] = {
    ("sendMessage", "text"): ("message text is empty", "message is too long"),
    ("editMessageText", "text"): ("message text is empty", "message is too long"),
    ("InlineKeyboardButton", "callback_data"): ("BUTTON_DATA_INVALID", "BUTTON_DATA_INVALID"),
    ("answerCallbackQuery", "text"): ("MESSAGE_TOO_LONG", "MESSAGE_TOO_LONG"),
}


def _telegram_wording(name: str, owner: str, *, too_long: bool) -> str | None:
    if name == "caption":
        return "message caption is too long" if too_long else None
    wording = _TELEGRAM_WORDING.get((owner, name))
    return None if wording is None else wording[too_long]


def _missing(spec: ObjectSpec, name: str, path: str) -> str:
    if name == "text" and not path:
        return "message text is empty"
    return f'{"parameter" if not path else "field"} "{_join(path, name)}" is required'


def _type_problem(value: object, types: tuple[str, ...], path: str) -> str:
    expected = " or ".join(types)
    if isinstance(value, str) and all(_is_json_type(t) for t in types):
        return f"can't parse {path}: expected a JSON-serialized {expected}, got {value!r}"
    shown = "an uploaded file" if value is UPLOADED else f"{type(value).__name__} {value!r}"
    return f'field "{path}" must be of type {expected}, got {shown}'


def validate_object(type_name: str, value: object) -> list[str]:
    """Problems with an object of a Bot API type, e.g. an Update the double is about to send."""
    validator = _Validator(load_spec(), ())
    validator.check_value(value, (type_name,), type_name)
    return validator.problems


def validate_call(
    method: str, params: Mapping[str, object], *, uploads: Collection[str] = ()
) -> list[str]:
    """Problems Telegram would reject `method(params)` for; `uploads` are multipart part names.

    A part named like a parameter (PTB uploads `photo` that way) supplies that parameter;
    other parts are reachable through "attach://<name>" references.
    """
    spec = load_spec()
    method_spec = spec.method(method)
    if method_spec is None:
        return [f'method "{method}" not found']
    decoded = decode_params(method_spec, params)
    for name in uploads:
        if name in method_spec.fields:
            decoded.setdefault(name, UPLOADED)
    validator = _Validator(spec, uploads)
    validator.check_object(method_spec, decoded, "")
    return validator.problems

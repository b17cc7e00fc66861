"""One prompt template: its file schema, load-time validation, variant choice and rendering.

A template file is data, validated strictly: an unknown field, a variable used but not
declared (or declared but never used), broken Jinja, or variant weights that do not add up
to 100 all fail at load time with a message naming the file, so a typo never reaches a model.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Self

import yaml
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from core.errors import TemplateError
from core.llm.types import Message

# The variant used when a file declares none.
BASE_VARIANT = "base"

_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_VARIABLE_PATTERN = r"^[a-z_][a-z0-9_]*$"
_VARIANT_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

# Sandboxed: a template can read the mappings and objects it is given but cannot reach
# Python internals through them. StrictUndefined turns a misspelt name into an error
# instead of an empty string. trim/lstrip_blocks keep `{% for %}` lines out of the output.
_ENV = SandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariableSpec(_Strict):
    description: str = Field(min_length=1)
    required: bool = True
    # Used when an optional variable is not passed; copied per render so a template
    # (or a caller) can never mutate the shared default.
    default: JsonValue = None

    @model_validator(mode="after")
    def _required_has_no_default(self) -> Self:
        if self.required and "default" in self.model_fields_set:
            raise ValueError("a required variable cannot have a default")
        return self


class ModelParams(_Strict):
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)


class VariantSpec(_Strict):
    name: str = Field(pattern=_VARIANT_PATTERN, max_length=40)
    # A traffic percentage; 0 switches an arm off without deleting it.
    weight: int = Field(ge=0, le=100)
    system: str | None = None
    user: str | None = None
    params: ModelParams | None = None


class TemplateSpec(_Strict):
    """The schema of `prompts/<name>.yaml`."""

    name: str = Field(pattern=_NAME_PATTERN, max_length=100)
    description: str = Field(min_length=1)
    variables: dict[Annotated[str, Field(pattern=_VARIABLE_PATTERN)], VariableSpec] = {}
    params: ModelParams = ModelParams()
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)
    variants: list[VariantSpec] = []

    @model_validator(mode="after")
    def _variants_are_consistent(self) -> Self:
        names = [variant.name for variant in self.variants]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate variant names: {', '.join(duplicates)}")
        total = sum(variant.weight for variant in self.variants)
        if self.variants and total != 100:
            raise ValueError(f"variant weights must sum to 100, got {total}")
        return self


@dataclass(frozen=True)
class Variant:
    """A variant resolved against the base text: what actually gets rendered."""

    name: str
    weight: int
    system: Template
    user: Template
    params: ModelParams


@dataclass(frozen=True)
class RenderedPrompt:
    variant: str
    messages: tuple[Message, ...]
    params: ModelParams


class PromptTemplate:
    """A validated, compiled template. Build with `PromptTemplate.parse`."""

    def __init__(self, spec: TemplateSpec, variants: tuple[Variant, ...]) -> None:
        self.spec = spec
        self.variants = variants
        self.body: dict[str, Any] = spec.model_dump(mode="json")
        self.content_hash = content_hash(self.body)

    @property
    def name(self) -> str:
        return self.spec.name

    @classmethod
    def parse(cls, source: str, text: str, *, expected_name: str | None = None) -> PromptTemplate:
        """Validate YAML `text` read from `source` (a path, used in error messages)."""
        spec = _parse_spec(source, text)
        if expected_name is not None and spec.name != expected_name:
            raise TemplateError(
                f"{source}: name '{spec.name}' does not match the file name '{expected_name}'"
            )
        _check_variables(source, spec)
        return cls(spec, _resolve_variants(source, spec))

    @classmethod
    def from_body(cls, source: str, body: Mapping[str, Any]) -> PromptTemplate:
        """A template from a stored `prompt_versions` body (the parsed file as JSON)."""
        try:
            spec = TemplateSpec.model_validate(_undumped(body))
        except ValidationError as exc:
            raise TemplateError(f"{source}: {_describe(exc)}") from exc
        _check_variables(source, spec)
        return cls(spec, _resolve_variants(source, spec))

    def promoted(self, variant_name: str) -> PromptTemplate:
        """This template with one variant made the base text, taking 100 % of the traffic.

        The variant keeps its name, so calls logged after a promotion still say which
        arm the text came from; the other arms are dropped.
        """
        chosen = next((v for v in self.spec.variants if v.name == variant_name), None)
        if chosen is None:
            raise TemplateError(f"Template '{self.name}' has no variant '{variant_name}'")
        spec = self.spec.model_copy(
            update={
                "system": chosen.system if chosen.system is not None else self.spec.system,
                "user": chosen.user if chosen.user is not None else self.spec.user,
                "params": _merge(self.spec.params, chosen),
                "variants": [VariantSpec(name=chosen.name, weight=100)],
            }
        )
        source = f"{self.name} (promoted {variant_name})"
        try:
            # Re-validated like a file, so a promoted text is as checked as a loaded one.
            return PromptTemplate.from_body(source, _dump(spec))
        except TemplateError:
            # The variant's own text leaves a declared variable unused, which a file may not
            # do (and callers still pass it): keep every arm, all the traffic on this one.
            arms = [
                arm.model_copy(update={"weight": 100 if arm.name == variant_name else 0})
                for arm in self.spec.variants
            ]
            kept = self.spec.model_copy(update={"variants": arms})
            return PromptTemplate.from_body(source, _dump(kept))

    def to_yaml(self) -> str:
        """The template as a prompts/<name>.yaml file (defaults left out, block text kept)."""
        return yaml.dump(
            self.spec.model_dump(mode="json", exclude_defaults=True),
            Dumper=_BlockDumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )

    def choose_variant(self, variant_key: str | None, rng: random.Random) -> Variant:
        """Sticky per key (a user keeps their arm across calls and restarts); random if None."""
        if variant_key is None:
            bucket = rng.randrange(100)
        else:
            digest = hashlib.sha256(f"{self.name}\x00{variant_key}".encode()).digest()
            bucket = int.from_bytes(digest[:8], "big") % 100
        cumulative = 0
        for variant in self.variants:
            cumulative += variant.weight
            if bucket < cumulative:
                return variant
        raise AssertionError("weights are validated to sum to 100")

    def render(self, variables: Mapping[str, object], variant: Variant) -> RenderedPrompt:
        context = self._context(variables)
        messages = (
            Message("system", self._render_text(variant.system, context)),
            Message("user", self._render_text(variant.user, context)),
        )
        return RenderedPrompt(variant.name, messages, variant.params)

    def _context(self, variables: Mapping[str, object]) -> dict[str, object]:
        declared = self.spec.variables
        unknown = sorted(set(variables) - set(declared))
        if unknown:
            raise TemplateError(
                f"Template '{self.name}' does not take variable(s): {', '.join(unknown)}"
            )
        context: dict[str, object] = {}
        for name, spec in declared.items():
            if name in variables:
                context[name] = variables[name]
            elif spec.required:
                raise TemplateError(f"Template '{self.name}' needs variable '{name}'")
            else:
                context[name] = copy.deepcopy(spec.default)
        return context

    def _render_text(self, template: Template, context: Mapping[str, object]) -> str:
        try:
            return template.render(context).strip()
        except JinjaError as exc:
            # e.g. a list item without the attribute the text reads, or a sandbox refusal.
            raise TemplateError(f"Template '{self.name}' could not render: {exc}") from exc


def content_hash(body: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the parsed file, so comments and YAML layout don't count."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _dump(spec: TemplateSpec) -> dict[str, Any]:
    return spec.model_dump(mode="json")


def _undumped(body: Mapping[str, Any]) -> dict[str, Any]:
    """A full dump spells out `default: null` on required variables, which a file may not
    (the validator reads a given default as a mistake): leave it out again."""
    copied = copy.deepcopy(dict(body))
    for spec in (copied.get("variables") or {}).values():
        if isinstance(spec, dict) and spec.get("required", True) and spec.get("default") is None:
            spec.pop("default", None)
    return copied


class _BlockDumper(yaml.SafeDumper):
    """Multi-line prompt text as `|` blocks, the way the files in prompts/ are written."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BlockDumper.add_representer(str, _represent_text)


def _parse_spec(source: str, text: str) -> TemplateSpec:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise TemplateError(f"{source}: expected a mapping at the top level")
    try:
        return TemplateSpec.model_validate(raw)
    except ValidationError as exc:
        raise TemplateError(f"{source}: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown field '{where}'")
        elif error["type"] == "missing":
            problems.append(f"missing field '{where}'")
        else:
            message = re.sub(r"^Value error, ", "", error["msg"])
            problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


def _texts(spec: TemplateSpec) -> dict[str, str]:
    """Every Jinja text in the file, keyed by where it lives (for error messages)."""
    texts = {"system": spec.system, "user": spec.user}
    for index, variant in enumerate(spec.variants):
        for field in ("system", "user"):
            text = getattr(variant, field)
            if text is not None:
                texts[f"variants.{index}.{field}"] = text
    return texts


def _syntax_error(source: str, where: str, exc: TemplateSyntaxError) -> TemplateError:
    return TemplateError(
        f"{source}: {where}: Jinja syntax error on line {exc.lineno}: {exc.message}"
    )


def _compile(source: str, where: str, text: str) -> Template:
    try:
        return _ENV.from_string(text)
    except TemplateSyntaxError as exc:
        raise _syntax_error(source, where, exc) from exc


def _check_variables(source: str, spec: TemplateSpec) -> None:
    used: set[str] = set()
    for where, text in _texts(spec).items():
        try:
            found = meta.find_undeclared_variables(_ENV.parse(text))
        except TemplateSyntaxError as exc:
            raise _syntax_error(source, where, exc) from exc
        undeclared = sorted(found - set(spec.variables))
        if undeclared:
            raise TemplateError(f"{source}: {where} uses undeclared variable(s): {undeclared}")
        used |= found
    # An unused declaration usually means a renamed variable or a forgotten section.
    unused = sorted(set(spec.variables) - used)
    if unused:
        raise TemplateError(f"{source}: declared variable(s) never used: {unused}")


def _resolve_variants(source: str, spec: TemplateSpec) -> tuple[Variant, ...]:
    base_system = _compile(source, "system", spec.system)
    base_user = _compile(source, "user", spec.user)
    if not spec.variants:
        return (Variant(BASE_VARIANT, 100, base_system, base_user, spec.params),)
    resolved = []
    for index, variant in enumerate(spec.variants):
        where = f"variants.{index}"
        system = base_system
        if variant.system is not None:
            system = _compile(source, f"{where}.system", variant.system)
        user = base_user
        if variant.user is not None:
            user = _compile(source, f"{where}.user", variant.user)
        resolved.append(
            Variant(variant.name, variant.weight, system, user, _merge(spec.params, variant))
        )
    return tuple(resolved)


def _merge(base: ModelParams, variant: VariantSpec) -> ModelParams:
    """A variant's params override the base ones field by field."""
    if variant.params is None:
        return base
    overrides = variant.params.model_dump(exclude_unset=True)
    return base.model_copy(update=overrides)

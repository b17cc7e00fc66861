"""Jinja2 for the Mini App: autoescaped, and a missing variable is an error, not a blank."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.llm.budget import format_usd

TEMPLATES = Path(__file__).parent / "templates"


def _usd(value: Decimal) -> str:
    return "$" + format_usd(value)


def _hhmm(at: datetime) -> str:
    return f"{at:%H:%M}"


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
ENV.filters["usd"] = _usd
ENV.filters["hhmm"] = _hhmm


def render(name: str, **values: Any) -> str:
    return ENV.get_template(name).render(**values)

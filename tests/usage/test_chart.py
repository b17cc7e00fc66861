"""The /usage chart: a valid PNG of the right size, and matplotlib only when drawn."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from datetime import date, timedelta
from decimal import Decimal

from core.usage.chart import MAX_SERIES, render_png
from core.usage.types import DailyCosts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of a PNG, each CRC checked: a truncated or garbled file fails here."""
    assert png[:8] == PNG_SIGNATURE
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + data) == crc, f"bad CRC in {kind!r}"
        found.append((kind, data))
        at += 12 + length
    return found


def costs(features: int, days: int = 30) -> DailyCosts:
    first = date(2026, 11, 8)
    return DailyCosts(
        days=tuple(first + timedelta(days=n) for n in range(days)),
        by_feature={
            f"Feature {f}": tuple(Decimal(f + 1) * Decimal("0.01") * (n % 5) for n in range(days))
            for f in range(features)
        },
        cap_usd=Decimal("0.50"),
    )


async def test_the_chart_is_a_valid_png_of_800_by_400() -> None:
    png = await render_png(costs(features=3))
    parts = chunks(png)
    kinds = [kind for kind, _ in parts]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", parts[0][1][:8])
    assert (width, height) == (800, 400)
    pixels = zlib.decompress(b"".join(data for kind, data in parts if kind == b"IDAT"))
    assert len(set(pixels)) > 10  # bars, lines and text were drawn, not a blank canvas


async def test_many_features_and_an_empty_month_both_draw() -> None:
    many = await render_png(costs(features=MAX_SERIES + 3))
    empty = await render_png(DailyCosts(costs(0).days, {}, Decimal(0)))
    for png in (many, empty):
        assert [kind for kind, _ in chunks(png)][-1] == b"IEND"


def test_importing_usage_and_report_does_not_import_matplotlib() -> None:
    code = (
        "import sys\n"
        "import core.usage.chart, core.usage.service, core.report.service\n"
        "import handlers.usage, handlers.report, bot.app\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]

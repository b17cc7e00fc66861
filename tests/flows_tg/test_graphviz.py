"""The Graphviz adapter: a real PNG from real `dot`, and every failure a sentence."""

from __future__ import annotations

import stat
import struct
from pathlib import Path

import pytest

from bot.adapters.graphviz import MAX_DOT_BYTES, GraphvizRenderer
from core.flows import diagram
from core.flows.diagram import DiagramRenderer, DiagramUnavailable
from tests.flows_tg.png import png_size

SMALL = 'digraph { welcome -> "wait-2d" -> ask; ask -> end [label="no reply"] }'


async def test_dot_draws_a_png(dot_binary: str) -> None:
    renderer: DiagramRenderer = GraphvizRenderer(binary=dot_binary)
    width, height = png_size(await renderer.render_png(SMALL))
    assert width > 20 and height > 50  # four nodes stacked: taller than wide


async def test_without_dot_it_says_how_to_install_it() -> None:
    renderer = GraphvizRenderer(binary="no-such-dot-here")
    assert not renderer.available()
    with pytest.raises(DiagramUnavailable, match=r"Graphviz is not installed.*apt-get install"):
        await renderer.render_png(SMALL)


async def test_broken_dot_text_is_refused_plainly(dot_binary: str) -> None:
    with pytest.raises(DiagramUnavailable, match=r"^Graphviz could not draw this flow\.$"):
        await GraphvizRenderer(binary=dot_binary).render_png("digraph { a -> }")


async def test_a_slow_dot_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    slow = tmp_path / "dot"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    renderer = GraphvizRenderer(binary=str(slow), timeout_s=0.3)
    with pytest.raises(DiagramUnavailable, match=r"took over 0\.3 s"):
        await renderer.render_png(SMALL)


async def test_output_that_is_not_a_png_is_refused(tmp_path: Path) -> None:
    liar = tmp_path / "dot"
    liar.write_text("#!/bin/sh\necho not a picture\n")
    liar.chmod(liar.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(DiagramUnavailable, match="could not draw"):
        await GraphvizRenderer(binary=str(liar)).render_png(SMALL)


async def test_a_huge_graph_is_not_attempted() -> None:
    huge = "digraph {" + "a -> b;" * (MAX_DOT_BYTES // 7 + 1) + "}"
    with pytest.raises(DiagramUnavailable, match="too large"):
        await GraphvizRenderer(binary="no-such-dot-here").render_png(huge)


def _png_header(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", width, height)


@pytest.mark.parametrize(
    ("width", "height", "photo"),
    [(400, 1200, True), (300, 6000, True), (200, 4100, False), (5000, 5001, False), (0, 10, False)],
)
def test_only_pictures_telegram_takes_go_as_photos(width: int, height: int, photo: bool) -> None:
    png = _png_header(width, height)
    assert diagram.png_size(png) == (width, height)
    assert diagram.fits_a_photo(png) is photo


def test_anything_else_is_not_a_picture() -> None:
    assert diagram.png_size(b"GIF89a" + b"\x00" * 30) is None
    assert not diagram.fits_a_photo(b"")

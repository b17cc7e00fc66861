"""MEMORY_NEAR_REPEAT is calibrated, not guessed: on the labelled pairs of
labelled_pairs.yaml the default flags every near-duplicate and no unrelated pair (nor a
same-topic one), and sits in the middle of the gap between them, so it is not fitted to
one pair. docs/MEMORY.md records the figures this prints with -s."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from core.config import MEMORY_NEAR_REPEAT, MemorySettings
from core.memory.embedder import BundledEmbedder

PAIRS: dict[str, list[list[str]]] = yaml.safe_load(
    (Path(__file__).parent / "labelled_pairs.yaml").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def similarities(bundled: BundledEmbedder) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for label, pairs in PAIRS.items():
        firsts = bundled.embed_sync([a for a, _ in pairs])
        seconds = bundled.embed_sync([b for _, b in pairs])
        out[label] = [float(x) for x in (firsts * seconds).sum(1)]
    return out


def test_the_set_is_big_enough_and_well_formed() -> None:
    assert set(PAIRS) == {"near_duplicate", "same_topic", "unrelated"}
    assert sum(len(pairs) for pairs in PAIRS.values()) >= 30
    assert all(len(pair) == 2 and pair[0] != pair[1] for p in PAIRS.values() for pair in p)


def test_the_default_flags_every_near_duplicate_and_no_unrelated_pair(
    similarities: dict[str, list[float]],
) -> None:
    threshold = MemorySettings(_env_file=None).near_repeat
    assert threshold == MEMORY_NEAR_REPEAT
    assert min(similarities["near_duplicate"]) >= threshold
    assert max(similarities["unrelated"]) < threshold
    assert max(similarities["same_topic"]) < threshold


def test_the_default_is_the_middle_of_the_gap(similarities: dict[str, list[float]]) -> None:
    lowest_duplicate = min(similarities["near_duplicate"])
    highest_other = max(similarities["same_topic"] + similarities["unrelated"])
    middle = (lowest_duplicate + highest_other) / 2
    print(
        f"\nnear-duplicates {lowest_duplicate:.3f}..{max(similarities['near_duplicate']):.3f}"
        f" (median {np.median(similarities['near_duplicate']):.3f}),"
        f" same topic ..{max(similarities['same_topic']):.3f},"
        f" unrelated ..{max(similarities['unrelated']):.3f}; middle of the gap {middle:.3f}"
    )
    assert lowest_duplicate - highest_other > 0.05  # the model separates them clearly
    assert abs(MEMORY_NEAR_REPEAT - middle) <= 0.02

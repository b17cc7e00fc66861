"""Acceptance rates with an honest margin: the Wilson score interval.

A plain percentage makes 3 accepted of 4 (75 %) look better than 70 of 100 (70 %). The
Wilson interval (95 %: z = 1.96) is wide for few decisions and narrows as they add up, so
a reader compares ranges, not points; unlike the normal approximation it stays inside
[0, 1] and behaves at 0 and n.
"""

from __future__ import annotations

import math

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> tuple[float, float]:
    """(low, high) for a success rate; (0, 1) when there were no trials at all."""
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    margin = (z / (1 + z2 / trials)) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials**2))
    return max(0.0, centre - margin), min(1.0, centre + margin)

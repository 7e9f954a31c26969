"""How far the person count can be from the truth: an interval and a lower bound from measured rates.

The clustering makes two kinds of error. A *split* leaves a person in two or more groups (a poor
capture far from the person's others becomes a group of its own): the count is one too high. A
*merge* puts two people in one group: one too low. How often each happens was measured on real
labelled faces: faces_dev and its capture-like variants, identities of the tune half, each set
also thinned to venue-like numbers of captures per person (``BENCH_PERSONS_RATES=1 python
scripts/bench.py persons``).

Whether a lone capture is a split-off fragment or a person seen once depends above all on how
often the people of the evidence come back: where everybody has five pictures, 97 % of the groups
of one face were fragments; where half the people were seen once, 15 %. The evidence shows which
it is: the share of groups holding three faces or more (``returning``). The rates are therefore
kept per band of that share and per group size:

* ``split``: the share of groups that are fragments of another group's person;
* ``merge``: the extra persons hidden in a group.

For the groups found, the estimate is ``groups - sum(split) + sum(merge)``. Its relative error
on the measured sets of that band ranged over ``RESIDUALS``; the interval is the estimate widened
by that range and by twice the binomial standard deviation of the errors. The lower bound counts
every group at the highest split rate seen in its band and size, and no merge at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RETURNING_EDGES = (0.3, 0.4, 0.5)  # share of groups with >= 3 faces
SIZE_EDGES = (2, 3, 5)  # sizes 1 | 2 | 3-4 | 5+

# Measured by BENCH_PERSONS_RATES=1 scripts/bench_persons.py (tune half; full and venue-like sets).
# SPLIT[returning band][size bin] = (pooled share of fragments, highest share on any set)
SPLIT: tuple[tuple[tuple[float, float], ...], ...] = (
    ((0.089, 0.171), (0.025, 0.095), (0.0, 0.0), (0.0, 0.0)),  # groups: 641, 321, 190, 52
    ((0.298, 0.529), (0.077, 0.19), (0.0, 0.0), (0.0, 0.0)),  # groups: 410, 246, 225, 129
    ((0.438, 0.613), (0.235, 0.333), (0.007, 0.043), (0.0, 0.0)),  # groups: 192, 132, 134, 135
    ((0.767, 1.0), (0.432, 0.778), (0.021, 0.062), (0.0, 0.0)),  # groups: 206, 95, 140, 313
)
# MERGE[returning band][size bin] = pooled extra persons per group
MERGE: tuple[tuple[float, ...], ...] = (
    (0.0, 0.131, 0.111, 0.096),
    (0.0, 0.122, 0.067, 0.07),
    (0.0, 0.053, 0.052, 0.044),
    (0.0, 0.032, 0.036, 0.026),
)
# RESIDUALS[returning band] = (lowest, highest) (true - estimate) / estimate on the measured sets
RESIDUALS: tuple[tuple[float, float], ...] = (
    (-0.053, 0.076),  # sets: 17
    (-0.145, 0.109),  # sets: 13
    (-0.090, 0.164),  # sets: 7
    (-0.145, 0.340),  # sets: 8
)


@dataclass(frozen=True)
class CountEstimate:
    estimate: int
    interval: tuple[int, int]
    lower_bound: int


def returning_band(sizes: np.ndarray) -> int:
    """Band of the share of groups with three faces or more."""
    share = float(np.mean(np.asarray(sizes) >= 3)) if np.size(sizes) else 0.0
    return int(np.searchsorted(np.asarray(RETURNING_EDGES), share, side="right"))


def size_bins(sizes: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(SIZE_EDGES), np.asarray(sizes), side="right")


def estimate_count(
    sizes: np.ndarray,
    separation: np.ndarray | None = None,
    crowding: np.ndarray | None = None,
    split: tuple = SPLIT,
    merge: tuple = MERGE,
    residuals: tuple = RESIDUALS,
) -> CountEstimate:
    """Point estimate, interval and lower bound of the persons behind groups of these sizes."""
    sizes = np.asarray(sizes)
    if sizes.size <= 1:  # one group cannot be a fragment of another
        return CountEstimate(sizes.size, (sizes.size, sizes.size), sizes.size)
    band = returning_band(sizes)
    size_bin = size_bins(sizes)
    rates = np.asarray(split, dtype=float)[band][size_bin]  # (G, 2)
    hidden = np.asarray(merge, dtype=float)[band][size_bin]  # (G,)
    low_res, high_res = residuals[band]
    groups = sizes.size
    point = groups - rates[:, 0].sum() + hidden.sum()
    noise = 2.0 * math.sqrt(float((rates[:, 0] * (1 - rates[:, 0])).sum() + hidden.sum()))
    low = point * (1 + min(low_res, 0.0)) - noise
    high = point * (1 + max(high_res, 0.0)) + noise
    lower = groups - rates[:, 1].sum() - noise
    low_i = max(1, math.floor(low))
    high_i = max(low_i, math.ceil(high))
    lower_i = max(1, min(math.floor(lower), low_i))
    return CountEstimate(max(1, round(point)), (low_i, high_i), lower_i)

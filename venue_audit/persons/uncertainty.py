"""How many persons stand behind the groups found: a point estimate, an interval and a lower bound.

The clustering makes two kinds of error. A *split* leaves a person in two or more groups (a poor
capture far from the person's others becomes a group of its own): the count is one too high. A
*merge* puts two people in one group: one too low. Both were measured on real labelled faces:
faces_dev and its capture-like variants, identities of the tune half only, each set also thinned
to venue-like numbers of captures per person (``BENCH_PERSONS_RATES=1 python scripts/bench.py
persons``, which prints the constants below).

Groups of three faces or more were almost never fragments (1.2 % of those of three or four, none
of five or more). Whether a group of one or two faces is a fragment of another group's person or a
person seen once or twice depends on two things the evidence shows:

* ``returning``: the share of groups holding three faces or more. Where everybody came back five
  times, nine small groups in ten were fragments; where half the people were seen once, one in six.
* ``near``: how close the small group is to the nearest group of three faces or more, in the
  calibrated impostor spreads the clustering itself uses (``persons.calibration``): a capture just
  short of joining a returning person is more often theirs than one far from everybody. In a
  crowded case every lone face has some returning group near it by chance, so ``near`` is taken
  relative to the case's own chance distance: the median linkage of a returning group to the
  nearest other returning group (which is another person's), less faces_dev's
  (``NEAR_REFERENCE``), weighed against it as ``PRIOR_GROUPS`` groups like the crowding below.

A logistic model of those two gives each small group its probability of being a fragment
(``FRAGMENT``, one row per size).

A *merge* by chance is a matter of crowding: the more people in a case, the more often an
unrelated person's captures lie within the merge limit of a group. The clustering leaves a trace
of that in the evidence itself: pairs of groups that just failed to merge. Chance linkages do not
stop at the limit, so where many groups have another group just beyond it (``NEAR_MISS_BAND``
spreads), as many pairs fell just inside and were merged. ``crowding`` is the mean number of other
groups just beyond the limit per returning group (groups of three faces or more, which are almost
never fragments themselves): ``-ln(1 - share)`` of those whose nearest other group lies in that
band, the Poisson mean behind that share. The persons hidden in a group are ``MERGE`` (per size
bin, measured per unit of crowding) times the case's crowding: on faces_dev's sets of ~70 people
crowding was 0.3-0.7; on 100,000 planted faces of 25,000 identities it was 1.9 and the measured
merges per group 1.3-2 times faces_dev's.

The estimate is ``sum(1 - P(fragment))`` over the groups plus those hidden persons. Its relative
error on the measured sets ranged over ``RESIDUALS``; the interval widens the estimate by that
range and by twice the binomial standard deviation of the groups' own uncertainty. The lower
bound ("at least") takes the lowest relative error and four such deviations.

The fragment model was fitted on sets of about seventy people, where 30-50 % of the small groups
of a set in which people come back are fragments of poor captures. Planted vectors hardly split,
so even with ``near`` taken relative to the case's chance distance the model takes some of their
people seen once for fragments: on 100,000 planted faces of 25,000 identities the estimate fell
9 % short (30 % before the chance distance and the crowding were measured on the case). The upper
end of the interval is therefore never below the count with no fragment at all (every group a
person, plus the hidden persons of the case's crowding): the interval then holds the truth
whatever the model makes of the small groups, and the lower bound, which only ever errs low, is
unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RETURNING_SIZE = 3  # faces in a group that marks a person who came back
NEAR_RANGE = (-3.5, 0.0)  # spreads; nearer or farther tells nothing more (and inf: none near)
NEAR_CENTRE = 2.5  # the model's ``near`` feature is the clipped linkage + this
SIZE_EDGES = (2, 3, 5)  # sizes 1 | 2 | 3-4 | 5+
MERGE_LIMIT = -2.8  # spreads: the clustering's merge_spreads, where a near miss starts
NEAR_MISS_BAND = 0.6  # spreads beyond the merge limit that count as a near miss
# A case with few returning groups leans on the crowding and the chance distance measured on
# faces_dev (medians of the tune sets), weighted as this many groups.
PRIOR_CROWDING = 0.48
NEAR_REFERENCE = -1.51  # spreads: a returning group's linkage to the nearest other (median)
PRIOR_GROUPS = 500

# Measured by BENCH_PERSONS_RATES=1 scripts/bench_persons.py (tune half; full and venue-like sets).
# FRAGMENT[size 1 | 2] = (intercept, per unit of returning share, per spread of ``near``)
FRAGMENT: tuple[tuple[float, float, float], ...] = (
    (-3.715, 10.497, -0.932),  # groups: 1492
    (-3.148, 7.565, -2.062),  # groups: 819
)
FRAGMENT_MIDDLE = 0.012  # groups of 3-4 faces (693); 5+ were never fragments (636)
# MERGE[size bin] = pooled extra persons hidden per group and unit of crowding
MERGE: tuple[float, ...] = (0.0, 0.203, 0.135, 0.111)
# (lowest, highest) (true - estimate) / estimate on the measured sets
RESIDUALS: tuple[float, float] = (-0.134, 0.145)  # sets: 45


@dataclass(frozen=True)
class CountEstimate:
    estimate: int
    interval: tuple[int, int]
    lower_bound: int


def returning_share(sizes: np.ndarray) -> float:
    """Share of the groups with three faces or more."""
    return float(np.mean(np.asarray(sizes) >= RETURNING_SIZE)) if np.size(sizes) else 0.0


def size_bins(sizes: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(SIZE_EDGES), np.asarray(sizes), side="right")


def chance_shift(
    sizes: np.ndarray, near_returning: np.ndarray, prior_groups: int = PRIOR_GROUPS
) -> float:
    """How much nearer than on faces_dev (negative: nearer) another person's returning group lies
    from a returning group in this case, in calibrated spreads, weighed against faces_dev."""
    near = np.asarray(near_returning, dtype=float)[np.asarray(sizes) >= RETURNING_SIZE]
    near = near[np.isfinite(near)]
    if near.size == 0:
        return 0.0
    weight = near.size / (near.size + prior_groups)
    return weight * (float(np.median(near)) - NEAR_REFERENCE)


def near_feature(near_returning: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """The clipped linkage to the nearest returning group, relative to the case's chance distance
    (no such neighbour: as far as counts)."""
    near = np.asarray(near_returning, dtype=float) - shift
    near = np.where(np.isfinite(near), near, NEAR_RANGE[1])
    return np.clip(near, *NEAR_RANGE) + NEAR_CENTRE


def crowding(
    sizes: np.ndarray,
    separation: np.ndarray | None,
    limit: float = MERGE_LIMIT,
    prior_groups: int = PRIOR_GROUPS,
) -> float:
    """Mean number of other groups just beyond the merge limit of a returning group.

    ``separation``: per group, its linkage to the nearest other group in calibrated spreads
    (``ClusteringResult.cluster_separation``); None gives faces_dev's median crowding.
    """
    if separation is None:
        return PRIOR_CROWDING
    returning = np.asarray(sizes) >= RETURNING_SIZE
    near = np.asarray(separation)[returning] < limit + NEAR_MISS_BAND
    prior_share = 1.0 - math.exp(-PRIOR_CROWDING)
    share = (near.sum() + prior_share * prior_groups) / max(near.size + prior_groups, 1)
    return -math.log(max(1.0 - share, 1e-3))


def fragment_probability(
    sizes: np.ndarray, near_returning: np.ndarray, fragment: tuple = FRAGMENT
) -> np.ndarray:
    """Per group, the probability that it is a fragment of another group's person."""
    sizes = np.asarray(sizes)
    out = np.where(sizes < SIZE_EDGES[2], FRAGMENT_MIDDLE, 0.0).astype(float)
    share = returning_share(sizes)
    near = near_feature(near_returning, chance_shift(sizes, near_returning))
    for size, (intercept, per_share, per_near) in enumerate(fragment, start=1):
        rows = sizes == size
        logit = intercept + per_share * share + per_near * near[rows]
        out[rows] = 1.0 / (1.0 + np.exp(-logit))
    return out


def estimate_count(
    sizes: np.ndarray,
    near_returning: np.ndarray | None = None,
    separation: np.ndarray | None = None,
    merge_limit: float = MERGE_LIMIT,
    fragment: tuple = FRAGMENT,
    merge: tuple = MERGE,
    residuals: tuple[float, float] = RESIDUALS,
) -> CountEstimate:
    """Point estimate, interval and lower bound of the persons behind groups of these sizes.

    ``near_returning``: per group, its linkage to the nearest group of three faces or more, in
    calibrated spreads (``ClusteringResult.cluster_near_returning``); None counts every small
    group as far from everybody. ``separation``: per group, its linkage to the nearest other
    group (``ClusteringResult.cluster_separation``), which measures the case's crowding.
    """
    sizes = np.asarray(sizes)
    if sizes.size <= 1:  # one group cannot be a fragment of another
        return CountEstimate(sizes.size, (sizes.size, sizes.size), sizes.size)
    if near_returning is None:
        near_returning = np.full(sizes.size, np.inf)
    fragment_p = fragment_probability(sizes, near_returning, fragment)
    hidden = np.asarray(merge, dtype=float)[size_bins(sizes)] * crowding(
        sizes, separation, merge_limit
    )
    point = float((1.0 - fragment_p).sum() + hidden.sum())
    noise = math.sqrt(float((fragment_p * (1 - fragment_p)).sum() + hidden.sum()))
    low_res, high_res = residuals
    low = point * (1 + min(low_res, 0.0)) - 2 * noise
    no_fragments = sizes.size + hidden.sum()
    high = max(
        point * (1 + max(high_res, 0.0)) + 2 * noise,
        no_fragments + 2 * math.sqrt(float(hidden.sum())),
    )
    lower = point * (1 + min(low_res, 0.0)) - 4 * noise
    low_i = max(1, math.floor(low))
    high_i = max(low_i, math.ceil(high))
    lower_i = max(1, min(math.floor(lower), low_i))
    return CountEstimate(max(1, round(point)), (low_i, high_i), lower_i)

"""Distinct persons of one embedding space: links from the stores, then faces, then groups.

The method, in the order the evidence is trusted:

1. **Exact duplicates** (byte-identical vectors) are one face; they are clustered once and count as
   one observation, so a template stored 50 times does not outvote a person's other captures.
2. **Must-links** from the data (same visitor_id / personId / PIN in a store, same content hash)
   join faces unconditionally (union-find via connected components).
3. **Calibration** (dlib, :mod:`.calibration`): each face's impostor scale, the mean and spread
   of its distances to a cohort of other faces of the same evidence, so that small grey crops,
   which sit closer to everybody, are judged on their own scale and not on a photo's.
4. **Average-linkage merging**, from single faces on (no single-link stage, so no chaining):
   groups merge, mutual-nearest first, while the RMS distance over
   *all* their cross pairs stays ``merge_spreads`` spreads below their members' impostor mean. An
   outlier capture is close to its person on average and rejoins it; two people whose closest
   captures happen to be near are far on average and stay apart.
5. **Count, interval, lower bound** (:mod:`.uncertainty`): the groups found, each group of one or
   two faces weighed as a possible fragment of another group's person (by the share of returning
   groups and its linkage to the nearest one), plus the merges measured on real labelled faces,
   scaled by the case's crowding (how many groups lie just short of the merge limit).

Spaces other than dlib's keep fixed thresholds in their own metric (``link_threshold``,
``merge_threshold``) and report the groups found as their count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from venue_audit.persons.calibration import (
    COHORT,
    NEAREST_SKIPPED,
    NUISANCE_MIN_FACES,
    calibrate,
)
from venue_audit.persons.config import ClusteringConfig, Metric, config_for_space
from venue_audit.persons.knn import knn_graph
from venue_audit.persons.linkage import Agglomeration, ClusterStats, agglomerate, components
from venue_audit.persons.uncertainty import RETURNING_SIZE, CountEstimate, estimate_count

REACH_CAP = 0.72  # dlib units: no pair of faces farther apart than this is ever a candidate


class InvalidEmbeddings(ValueError):
    """The embeddings or must-link pairs given to the clustering cannot be used as they are."""


@dataclass(frozen=True)
class ClusteringResult:
    """Persons of one embedding space; labels number persons by their first row."""

    space: str
    labels: np.ndarray  # (N,) int64, 0..n_persons-1, person 0 owns row 0
    n_persons: int  # groups found: one row per person in the case
    estimate: int  # persons behind those groups, corrected by the measured split and merge rates
    interval: tuple[int, int]  # (low, high) persons, from the measured rates (persons.uncertainty)
    lower_bound: int  # at least this many distinct persons
    method: str
    parameters: dict[str, object]
    cluster_sizes: np.ndarray  # (n_persons,) rows per person (duplicates included)
    cluster_radius: np.ndarray  # (n_persons,) RMS distance of distinct faces to their centroid
    cluster_separation: np.ndarray  # (n_persons,) linkage to the nearest other, inf if none
    # (n_persons,) how far the person's faces crowd towards everybody: the evidence's median
    # impostor mean less theirs, in median impostor spreads (poor captures > 0; 0 if uncalibrated)
    cluster_crowding: np.ndarray
    # (n_persons,) linkage to the nearest group of three faces or more (calibrated spreads; inf if
    # none): a small group close to a returning person's group is likely a fragment of it
    cluster_near_returning: np.ndarray
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return int(self.labels.size)


def _to_metric_space(embeddings: np.ndarray, metric: Metric) -> np.ndarray:
    x = np.asarray(embeddings)
    if x.ndim != 2:
        raise InvalidEmbeddings(f"embeddings must be a 2-D array (rows, dims), got shape {x.shape}")
    if x.shape[0] and x.shape[1] == 0:
        raise InvalidEmbeddings("embeddings have zero dimensions")
    x = np.ascontiguousarray(x, dtype=np.float32)
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise InvalidEmbeddings(
            f"{rows.size} embedding row(s) hold NaN or infinity, first at row {int(rows[0])}"
        )
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1)
        zero = norms == 0
        if zero.any():
            raise InvalidEmbeddings(
                f"{int(zero.sum())} zero vector(s) have no direction for cosine distance, "
                f"first at row {int(np.flatnonzero(zero)[0])}"
            )
        x = x / norms[:, None]
    elif metric != "euclidean":
        raise InvalidEmbeddings(f"unknown metric {metric!r} (euclidean or cosine)")
    return x


def _euclidean_threshold(threshold: float, metric: Metric) -> float:
    # On unit vectors |x - y|² = 2 (1 - cos) = 2 * cosine distance.
    return float(np.sqrt(2.0 * threshold)) if metric == "cosine" else float(threshold)


def _must_link_array(must_link: Sequence[tuple[int, int]] | np.ndarray, n: int) -> np.ndarray:
    pairs = np.asarray(must_link, dtype=np.int64).reshape(-1, 2) if len(must_link) else None
    if pairs is None:
        return np.zeros((0, 2), dtype=np.int64)
    out_of_range = (pairs < 0) | (pairs >= n)
    if out_of_range.any():
        row = int(np.flatnonzero(out_of_range.any(axis=1))[0])
        raise InvalidEmbeddings(
            f"must-link pair {row} {tuple(pairs[row].tolist())} refers to a row outside 0..{n - 1}"
        )
    return pairs


def _deduplicate(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows (in order of first appearance) and each row's index among them."""
    rows = x.view(np.dtype((np.void, x.dtype.itemsize * x.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    if first.size == x.shape[0]:  # nothing repeated: no copy of the evidence's vectors
        return x, np.arange(x.shape[0])
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return x[first[order]], rank[inverse.ravel()]


def _number_by_first_row(raw: np.ndarray) -> np.ndarray:
    _, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()]


def describe_method(config: ClusteringConfig, index_kind: str) -> str:
    unit = "Euclidean distance" if config.metric == "euclidean" else "cosine distance"
    common = (
        f"Space '{config.space}' ({unit}). Byte-identical embeddings counted once; must-links "
        f"(person keys in stores, identical content) joined first. "
    )
    if config.adaptive:
        text = common + (
            "Each face's impostor scale calibrated from the evidence: the mean and spread of its "
            f"distances to a cohort of up to {COHORT} other faces, its nearest "
            f"{NEAREST_SKIPPED} left out (the strongest direction of variation removed first when "
            f"there are {NUISANCE_MIN_FACES} faces or more). Groups, from single faces on, merged by "
            "average linkage (RMS of all cross-pair distances, mutual-nearest rounds) while "
            f"{-config.merge_spreads:g} spreads or more below the mean of their members' impostor "
            f"means, considering the {config.k} nearest neighbours of each face ({index_kind} "
            "k-NN search). "
        )
    else:
        text = common + (
            f"Each face joined to those of its {config.k} nearest neighbours ({index_kind} k-NN "
            f"search) closer than {config.link_threshold:g}; the resulting fragments merged by "
            f"average linkage (RMS of all cross-pair distances, mutual-nearest rounds) while under "
            f"{config.merge_threshold:g}. "
        )
    if index_kind.startswith("kmeans") and config.refine > 0:
        searches = (
            "One further k-NN search"
            if config.refine == 1
            else f"Up to {config.refine} further k-NN searches"
        )
        text += (
            f"{searches} among the centroids of the persons found "
            f"add{'s' if config.refine == 1 else ''} the pairs the approximate search missed. "
        )
    text += f"Seed {config.seed}."
    if not config.merge_by_distance:
        text += " Model not calibrated: templates joined only by evidence keys, never by distance."
    elif not config.calibrated:
        text += " Thresholds not calibrated for this model: the count is indicative only."
    return text


def cluster_space(
    embeddings: np.ndarray,
    must_link: Sequence[tuple[int, int]] | np.ndarray = (),
    config: ClusteringConfig | None = None,
    metric: Metric | None = None,
) -> ClusteringResult:
    """Cluster the faces of one embedding space into distinct persons.

    ``must_link`` lists row pairs known to be one person (same person key in a store, identical
    content). ``metric`` overrides the config's metric when given.
    """
    config = config or ClusteringConfig()
    if metric is not None:
        config = config.with_(metric=metric)
    x = _to_metric_space(embeddings, config.metric)
    n = x.shape[0]
    pairs = _must_link_array(must_link, n)
    if n == 0:
        return _empty_result(config)

    unique, row_to_unique = _deduplicate(x)
    m = unique.shape[0]
    ml_a, ml_b = row_to_unique[pairs[:, 0]], row_to_unique[pairs[:, 1]]
    if config.adaptive:
        calibration = calibrate(unique, config.seed)
        space_x = calibration.vectors
        impostor: tuple[np.ndarray, np.ndarray] | None = (
            calibration.impostor_mean,
            calibration.impostor_spread,
        )
        merge_t = config.merge_spreads
        # A bound for the neighbour search: the distance at which all but the 1 % most lenient
        # faces stop merging, never above REACH_CAP (on faces_dev: median 0.56-0.60, 99th
        # percentile 0.65-0.67, largest 0.71), so that no set can make the search quadratic.
        lenient = calibration.impostor_mean + merge_t * calibration.impostor_spread
        reach = max(min(float(np.quantile(lenient, 0.99)) + 0.02, REACH_CAP), 1e-6)
    else:
        space_x, impostor = unique, None
        merge_t = _euclidean_threshold(config.merge_threshold, config.metric)
        reach = merge_t

    graph = knn_graph(
        space_x,
        config.k + 1,  # a face is its own nearest neighbour
        exact_limit=config.exact_limit,
        reach=reach,
        tables=config.tables,
        cells=config.cells,
        probes=config.probes,
        seed=config.seed,
    )
    cand_a, cand_b, cand_d = graph.edges(reach)
    if impostor is not None:  # groups from single faces on: nothing joins on one pair
        start = np.arange(m)
    elif config.merge_by_distance:
        strict = cand_d <= min(_euclidean_threshold(config.link_threshold, config.metric), merge_t)
        start = components(
            m, np.concatenate([cand_a[strict], ml_a]), np.concatenate([cand_b[strict], ml_b])
        )
    else:  # a model nobody calibrated: evidence keys only
        start = components(m, ml_a, ml_b)
    n_fragments = int(start.max()) + 1
    if config.merge_by_distance:
        merged = agglomerate(space_x, start, cand_a, cand_b, merge_t, impostor, RETURNING_SIZE)
        groups, nearest_other, nearest_large = _renumbered(merged)
    else:
        groups, nearest_other = start, np.full(n_fragments, np.inf)
        nearest_large = nearest_other
    searches = config.refine if graph.index_kind != "exact" and config.merge_by_distance else 0
    for round_ in range(searches):
        # An approximate graph misses some pairs of one person; search again among the groups
        # found (far fewer points than faces), with fresh partitions, and go on merging from
        # those groups. Centroid distance is a lower bound of the RMS linkage, so pairs of groups
        # farther apart than the reach could never merge and need not be found.
        extra_a, extra_b = _person_pairs(space_x, groups, reach, config, config.seed + 1 + round_)
        cand_a = np.concatenate([cand_a, extra_a])
        cand_b = np.concatenate([cand_b, extra_b])
        before = nearest_other.size
        merged = agglomerate(space_x, groups, cand_a, cand_b, merge_t, impostor, RETURNING_SIZE)
        groups, nearest_other, nearest_large = _renumbered(merged)
        if nearest_other.size == before:
            break
    if impostor is not None:
        # Evidence keys join the groups the faces were found in, not the two faces alone: a
        # pair of faces fixed together would sit apart from both people's other captures.
        final, nearest_other, nearest_large = _joined_by_keys(
            groups, nearest_other, nearest_large, ml_a, ml_b
        )
    else:
        final = groups

    row_raw = final[row_to_unique]
    labels = _number_by_first_row(row_raw)
    n_persons = int(labels.max()) + 1

    # Per-person diagnostics, computed on distinct faces in the space's own distances.
    person_of_unique = np.empty(m, dtype=np.int64)
    person_of_unique[row_to_unique] = labels
    radius, separation = _person_geometry(unique, person_of_unique, final, nearest_other, n_persons)
    near_returning = np.full(n_persons, np.inf)
    near_returning[person_of_unique] = nearest_large[final]
    if config.metric == "cosine" and impostor is None:  # report geometry in the space's own unit
        radius, separation = _cosine_from_euclidean(radius), _cosine_from_euclidean(separation)
    distinct_sizes = np.bincount(person_of_unique, minlength=n_persons)
    crowding = np.zeros(n_persons)
    if impostor is not None:
        mean, spread = impostor
        face_crowding = (np.median(mean) - mean) / max(float(np.median(spread)), 1e-6)
        crowding = np.bincount(person_of_unique, face_crowding, n_persons) / distinct_sizes
    if config.adaptive:
        counted = estimate_count(distinct_sizes, near_returning, separation, config.merge_spreads)
    elif config.calibrated:
        counted = CountEstimate(n_persons, (n_persons, n_persons), n_persons)
    else:  # all of them may be people counted in another space, or one person
        counted = CountEstimate(n_persons, (1, n_persons), 1)
    return ClusteringResult(
        space=config.space,
        labels=labels,
        n_persons=n_persons,
        estimate=counted.estimate,
        interval=counted.interval,
        lower_bound=counted.lower_bound,
        method=describe_method(config, graph.index_kind),
        parameters={**config.as_dict(), "index": graph.index_kind},
        cluster_sizes=np.bincount(labels, minlength=n_persons),
        cluster_radius=radius,
        cluster_separation=separation,
        cluster_crowding=crowding,
        cluster_near_returning=near_returning,
        stats={
            "rows": n,
            "distinct_vectors": m,
            "must_links": int(pairs.shape[0]),
            "candidate_edges": int(cand_a.size),
            "fragments_before_merge": n_fragments,
        },
    )


def _renumbered(merged: Agglomeration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups numbered 0..G-1 (the agglomeration names them by a surviving face), so that the
    next round's statistics are sized by groups, not faces (1M faces: 1 GB of float64 sums)."""
    present, dense = np.unique(merged.labels, return_inverse=True)
    return (
        dense.ravel().astype(np.int64),
        merged.nearest_other[present],
        merged.nearest_large[present],
    )


def _joined_by_keys(
    labels: np.ndarray,
    nearest_other: np.ndarray,
    nearest_large: np.ndarray,
    ml_a: np.ndarray,
    ml_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups sharing a must-link become one; a joined group's separations are its members' least."""
    if ml_a.size == 0:
        return labels, nearest_other, nearest_large
    n_groups = nearest_other.size
    joined = components(n_groups, labels[ml_a], labels[ml_b])
    separation = np.full(n_groups, np.inf)
    np.minimum.at(separation, joined, nearest_other)
    large = np.full(n_groups, np.inf)
    np.minimum.at(large, joined, nearest_large)
    return joined[labels], separation, large


def _person_pairs(
    unique: np.ndarray, clusters: np.ndarray, reach: float, config: ClusteringConfig, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Face pairs (one face per side) linking clusters whose centroids are within ``reach``."""
    _, dense = np.unique(clusters, return_inverse=True)
    dense = dense.ravel()
    n_clusters = int(dense.max()) + 1
    stats = ClusterStats.of(unique, dense, n_clusters)
    centroids = (stats.total / stats.count[:, None]).astype(np.float32)
    graph = knn_graph(
        centroids,
        config.k + 1,
        exact_limit=config.exact_limit,
        reach=reach,
        tables=config.tables,
        cells=None,
        probes=config.probes,
        seed=seed,
    )
    a, b, _ = graph.edges(reach)
    representative = np.zeros(n_clusters, dtype=np.int64)
    representative[dense[::-1]] = np.arange(dense.size)[::-1]  # first face of each cluster
    return representative[a], representative[b]


def _cosine_from_euclidean(d: np.ndarray) -> np.ndarray:
    return d**2 / 2.0


def _person_geometry(
    unique: np.ndarray,
    person_of_unique: np.ndarray,
    cluster_of_unique: np.ndarray,
    nearest_other: np.ndarray,
    n_persons: int,
) -> tuple[np.ndarray, np.ndarray]:
    stats = ClusterStats.of(unique, person_of_unique, n_persons)
    separation = np.full(n_persons, np.inf)
    # cluster ids of the agglomeration map one-to-one onto persons
    separation[person_of_unique] = nearest_other[cluster_of_unique]
    return stats.rms_radius(), separation


def _empty_result(config: ClusteringConfig) -> ClusteringResult:
    empty_f = np.zeros(0, dtype=np.float64)
    return ClusteringResult(
        space=config.space,
        labels=np.zeros(0, dtype=np.int64),
        n_persons=0,
        estimate=0,
        interval=(0, 0),
        lower_bound=0,
        method=describe_method(config, "none"),
        parameters={**config.as_dict(), "index": "none"},
        cluster_sizes=np.zeros(0, dtype=np.int64),
        cluster_radius=empty_f,
        cluster_separation=empty_f,
        cluster_crowding=empty_f,
        cluster_near_returning=empty_f,
        stats={
            "rows": 0,
            "distinct_vectors": 0,
            "must_links": 0,
            "candidate_edges": 0,
            "fragments_before_merge": 0,
        },
    )


SpaceInput = tuple[np.ndarray, Sequence[tuple[int, int]] | np.ndarray]


def cluster_all(
    groups: Mapping[str, SpaceInput],
    configs: Mapping[str, ClusteringConfig] | None = None,
) -> dict[str, ClusteringResult]:
    """One clustering per embedding space; persons of different spaces are never merged.

    Templates of different models are not comparable (a dlib distance means nothing between two
    ArcFace vectors), so each space is counted on its own and reported separately. ``configs``
    overrides the preset chosen from the space's name.
    """
    configs = configs or {}
    results: dict[str, ClusteringResult] = {}
    for space, (embeddings, must_link) in groups.items():
        config = configs.get(space) or config_for_space(space)
        results[space] = cluster_space(embeddings, must_link, config)
    return results

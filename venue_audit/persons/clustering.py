"""Distinct persons of one embedding space: links from the stores, then faces, then fragments.

The method, in the order the evidence is trusted:

1. **Exact duplicates** (byte-identical vectors) are one face; they are clustered once and count as
   one observation, so a template stored 50 times does not outvote a person's other captures.
2. **Must-links** from the data (same visitor_id / personId / PIN in a store, same content hash)
   join faces unconditionally (union-find via connected components).
3. **Strict face links**: each face is joined to those of its k nearest faces closer than
   ``link_threshold`` (0.5 for dlib). Single links are only trusted where they are unambiguous.
   The k-NN graph is exact up to ``exact_limit`` faces (100k); above, it is the union of
   ``tables`` k-means partitions searched ``probes`` cells deep (see :mod:`.knn`).
4. **Average-linkage merging**: the fragments are merged while the RMS distance over *all* their
   cross pairs stays under ``merge_threshold`` (0.6, dlib's own match threshold), considering only
   fragments joined by a k-NN edge. An outlier capture of a person is close to that person on
   average and rejoins it; two different people whose closest captures happen to fall under 0.6 are
   far on average and stay apart. Naive single-threshold clustering cannot tell these apart.
5. **Band**: step 4 is repeated over the band of merge thresholds (default 0.5-0.6); the lowest and
   highest person counts are the confidence band reported next to the point estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from venue_audit.persons.config import ClusteringConfig, Metric, config_for_space
from venue_audit.persons.knn import knn_graph
from venue_audit.persons.linkage import ClusterStats, agglomerate, components


class InvalidEmbeddings(ValueError):
    """The embeddings or must-link pairs given to the clustering cannot be used as they are."""


@dataclass(frozen=True)
class ClusteringResult:
    """Persons of one embedding space; labels number persons by their first row."""

    space: str
    labels: np.ndarray  # (N,) int64, 0..n_persons-1, person 0 owns row 0
    n_persons: int
    band: tuple[int, int]  # (low, high) person counts over the band of merge thresholds
    band_counts: dict[float, int]  # merge threshold -> person count
    method: str
    parameters: dict[str, object]
    cluster_sizes: np.ndarray  # (n_persons,) rows per person (duplicates included)
    cluster_radius: np.ndarray  # (n_persons,) RMS distance of distinct faces to their centroid
    cluster_separation: np.ndarray  # (n_persons,) RMS linkage to the nearest other, inf if none
    cluster_stable: np.ndarray  # (n_persons,) bool: same members at both ends of the band
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
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return x[first[order]], rank[inverse.ravel()]


def _number_by_first_row(raw: np.ndarray) -> np.ndarray:
    _, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()]


def _same_partition(fine: np.ndarray, other: np.ndarray, n_fine: int) -> np.ndarray:
    """Per cluster of ``fine``: is it also exactly one cluster of ``other``?"""
    size_fine = np.bincount(fine, minlength=n_fine)
    _, other_dense = np.unique(other, return_inverse=True)
    size_other = np.bincount(other_dense)
    pairs = np.unique(fine.astype(np.int64) * (other_dense.max() + 1) + other_dense)
    parts = np.bincount(pairs // (other_dense.max() + 1), minlength=n_fine)
    rep = np.zeros(n_fine, dtype=np.int64)
    rep[fine] = other_dense
    return (parts == 1) & (size_other[rep] == size_fine)


def describe_method(config: ClusteringConfig, index_kind: str) -> str:
    unit = "Euclidean distance" if config.metric == "euclidean" else "cosine distance"
    low, high = config.band
    text = (
        f"Space '{config.space}' ({unit}). Byte-identical embeddings counted once; must-links "
        f"(person keys in stores, identical content) joined first. Each face joined to those of its "
        f"{config.k} nearest neighbours ({index_kind} k-NN search) closer than "
        f"{config.link_threshold:g}; the resulting fragments merged by average linkage (RMS of all "
        f"cross-pair distances, mutual-nearest rounds) while under {config.merge_threshold:g}. "
        + (
            f"Up to {config.refine} further k-NN searches among the centroids of the persons found "
            "(within the merge threshold, a lower bound of the linkage) add the pairs the "
            "approximate search missed. "
            if index_kind.startswith("kmeans") and config.refine > 0
            else ""
        )
        + f"Band: merge threshold swept over {low:g}-{high:g} in {config.band_steps} steps. "
        f"Seed {config.seed}."
    )
    if not config.calibrated:
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
    link_t = _euclidean_threshold(config.link_threshold, config.metric)
    merge_t = _euclidean_threshold(config.merge_threshold, config.metric)
    band = config.band_thresholds()
    band_t = [_euclidean_threshold(t, config.metric) for t in band]
    reach = max([merge_t, *band_t])

    graph = knn_graph(
        unique,
        config.k + 1,  # a face is its own nearest neighbour
        exact_limit=config.exact_limit,
        reach=reach,
        tables=config.tables,
        cells=config.cells,
        probes=config.probes,
        seed=config.seed,
    )
    cand_a, cand_b, cand_d = graph.edges(reach)
    ml_a, ml_b = row_to_unique[pairs[:, 0]], row_to_unique[pairs[:, 1]]

    def run(threshold: float) -> tuple[np.ndarray, np.ndarray, int]:
        strict = cand_d <= min(link_t, threshold)
        base = components(
            m,
            np.concatenate([cand_a[strict], ml_a]),
            np.concatenate([cand_b[strict], ml_b]),
        )
        merged = agglomerate(unique, base, cand_a, cand_b, threshold)
        return merged.labels, merged.nearest_other, int(base.max()) + 1

    final, nearest_other, n_fragments = run(merge_t)
    for round_ in range(config.refine if graph.index_kind != "exact" else 0):
        # An approximate graph misses some pairs of one person; search again among the persons
        # found (far fewer points than faces), with fresh partitions. Centroid distance is a lower
        # bound of the RMS linkage, so pairs of persons farther apart than the merge threshold
        # could never merge and need not be found.
        extra_a, extra_b = _person_pairs(unique, final, merge_t, config, config.seed + 1 + round_)
        cand_a = np.concatenate([cand_a, extra_a])
        cand_b = np.concatenate([cand_b, extra_b])
        cand_d = np.concatenate([cand_d, np.full(extra_a.size, np.inf, dtype=cand_d.dtype)])
        before = int(np.unique(final).size)
        final, nearest_other, _ = run(merge_t)
        if int(np.unique(final).size) == before:
            break
    band_labels = {
        t: (final if t_e == merge_t else run(t_e)[0]) for t, t_e in zip(band, band_t, strict=True)
    }
    band_counts = {t: int(np.unique(lab).size) for t, lab in band_labels.items()}

    row_raw = final[row_to_unique]
    labels = _number_by_first_row(row_raw)
    n_persons = int(labels.max()) + 1

    # Per-person diagnostics, computed on distinct faces.
    person_of_unique = np.empty(m, dtype=np.int64)
    person_of_unique[row_to_unique] = labels
    radius, separation = _person_geometry(unique, person_of_unique, final, nearest_other, n_persons)
    low_lab, high_lab = band_labels[band[0]], band_labels[band[-1]]
    stable = _same_partition(person_of_unique, low_lab, n_persons) & _same_partition(
        person_of_unique, high_lab, n_persons
    )
    if config.metric == "cosine":  # report geometry in the space's own unit
        radius, separation = _cosine_from_euclidean(radius), _cosine_from_euclidean(separation)
    return ClusteringResult(
        space=config.space,
        labels=labels,
        n_persons=n_persons,
        band=(min(band_counts.values()), max(band_counts.values())),
        band_counts=band_counts,
        method=describe_method(config, graph.index_kind),
        parameters={**config.as_dict(), "index": graph.index_kind},
        cluster_sizes=np.bincount(labels, minlength=n_persons),
        cluster_radius=radius,
        cluster_separation=separation,
        cluster_stable=stable,
        stats={
            "rows": n,
            "distinct_vectors": m,
            "must_links": int(pairs.shape[0]),
            "candidate_edges": int(cand_a.size),
            "fragments_before_merge": n_fragments,
        },
    )


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
        band=(0, 0),
        band_counts={t: 0 for t in config.band_thresholds()},
        method=describe_method(config, "none"),
        parameters={**config.as_dict(), "index": "none"},
        cluster_sizes=np.zeros(0, dtype=np.int64),
        cluster_radius=empty_f,
        cluster_separation=empty_f,
        cluster_stable=np.zeros(0, dtype=bool),
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

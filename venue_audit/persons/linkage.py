"""Graph stages of the clustering: strict components, then average-linkage merging of fragments.

Everything here is arrays: no Python object per face or per edge, so 1M faces stay in seconds.

Average linkage is computed exactly from per-cluster sufficient statistics: for clusters A and B,
the mean *squared* distance over all cross pairs is ``|cA - cB|² + vA + vB`` (centroids c, mean
squared radii v). Its square root (the RMS cross distance) is the linkage. That linkage is
*reducible* (merging A and B never brings the union closer to C than the nearer of A and B), so
merging every mutual-nearest pair in rounds gives the same tree as greedy agglomeration, and the
rounds are vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes given undirected edges (a[i], b[i])."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="weak")
    return labels.astype(np.int64)


# Rows of float64 statistics gathered at once (16 MB at 128 dimensions): row-wise work, so the
# results do not depend on it; 305k faces peaked ~400 MB higher with 2**16-2**17.
_CHUNK = 1 << 14


@dataclass
class ClusterStats:
    """Sufficient statistics of clusters for RMS average linkage."""

    count: np.ndarray  # (C,) float64
    total: np.ndarray  # (C, D) float64, sum of member vectors
    squares: np.ndarray  # (C,) float64, sum of member squared norms

    @classmethod
    def of(cls, vectors: np.ndarray, labels: np.ndarray, n_clusters: int) -> ClusterStats:
        order = np.argsort(labels, kind="stable")
        sorted_labels = labels[order]
        starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
        present = sorted_labels[starts]
        dim = vectors.shape[1]
        total = np.zeros((n_clusters, dim), dtype=np.float64)
        squares = np.zeros(n_clusters, dtype=np.float64)
        chunk = _CHUNK
        # reduceat over the label-sorted rows, in chunks of clusters to bound the float64 copy
        for lo in range(0, starts.size, chunk):
            seg_starts = starts[lo : lo + chunk]
            row_lo = seg_starts[0]
            row_hi = starts[lo + chunk] if lo + chunk < starts.size else order.size
            block = vectors[order[row_lo:row_hi]].astype(np.float64)
            offsets = seg_starts - row_lo
            total[present[lo : lo + chunk]] = np.add.reduceat(block, offsets, axis=0)
            squares[present[lo : lo + chunk]] = np.add.reduceat(
                np.einsum("ij,ij->i", block, block), offsets
            )
        count = np.bincount(labels, minlength=n_clusters).astype(np.float64)
        return cls(count, total, squares)

    def merge_into(self, keep: np.ndarray, gone: np.ndarray, chunk: int = _CHUNK) -> None:
        """Add each ``gone[i]`` into ``keep[i]``; a cluster appears at most once in ``keep``."""
        self.count[keep] += self.count[gone]
        for lo in range(0, keep.size, chunk):  # the gathered rows are float64: bound the copy
            self.total[keep[lo : lo + chunk]] += self.total[gone[lo : lo + chunk]]
        self.squares[keep] += self.squares[gone]
        self.count[gone] = 0

    def rms_linkage(self, a: np.ndarray, b: np.ndarray, chunk: int = _CHUNK) -> np.ndarray:
        """RMS distance over all cross pairs of clusters a[i] and b[i]."""
        out = np.empty(a.size, dtype=np.float64)
        for lo in range(0, a.size, chunk):
            ia, ib = a[lo : lo + chunk], b[lo : lo + chunk]
            na, nb = self.count[ia], self.count[ib]
            ta, tb = self.total[ia], self.total[ib]
            # mean over pairs of |x - y|² = E|x|² + E|y|² - 2 cA·cB
            cross = np.einsum("ij,ij->i", ta, tb) / (na * nb)
            out[lo : lo + chunk] = self.squares[ia] / na + self.squares[ib] / nb - 2.0 * cross
        return np.sqrt(np.maximum(out, 0.0))

    def rms_radius(self) -> np.ndarray:
        """RMS distance of members to their centroid, per cluster (0 for singletons)."""
        n = np.maximum(self.count, 1.0)
        centroid_sq = np.einsum("ij,ij->i", self.total, self.total) / n**2
        return np.sqrt(np.maximum(self.squares / n - centroid_sq, 0.0))


def _unique_pairs(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    keep = a != b
    lo = np.minimum(a[keep], b[keep])
    hi = np.maximum(a[keep], b[keep])
    key = np.unique(lo * np.int64(n) + hi)
    return key // n, key % n


@dataclass(frozen=True)
class Agglomeration:
    labels: np.ndarray  # (N,) cluster id per node, not renumbered
    rounds: int
    merges: int
    nearest_other: np.ndarray  # (C,) by surviving cluster id: smallest linkage to a neighbour
    # (C,) smallest linkage to a neighbour of ``large_size`` faces or more (inf if none)
    nearest_large: np.ndarray


def agglomerate(
    vectors: np.ndarray,
    labels: np.ndarray,
    cand_a: np.ndarray,
    cand_b: np.ndarray,
    threshold: float,
    impostor: tuple[np.ndarray, np.ndarray] | None = None,
    large_size: int = 3,
) -> Agglomeration:
    """Merge clusters whose linkage is under ``threshold``, in mutual-nearest rounds.

    ``labels`` are the clusters to start from (single faces, or groups found before).
    Without ``impostor`` the linkage is the RMS cross distance. With ``impostor = (mean, spread)``
    per node (each face's distances to the people it is not, see :mod:`.calibration`) it is the
    RMS cross distance in units of the two clusters' own impostor spread below their impostor mean:
    ``(rms - mean) / spread`` with mean and spread averaged over the members of both, and
    ``threshold`` is then a (negative) number of spreads.
    Only cluster pairs joined by a candidate edge (node pairs from the k-NN graph) are considered:
    clusters no face of which is among another's nearest faces are never merged.

    Each round recomputes the linkage only of pairs touching a cluster that merged: the others'
    members did not change, so neither did their linkage. The mutual-nearest pairs of a round are
    disjoint (each cluster has one nearest), so merges within a round never collide.
    """
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    stats = ClusterStats.of(vectors, labels, n_clusters)
    scale = None
    if impostor is not None:
        scale = np.zeros((n_clusters, 2), dtype=np.float64)
        np.add.at(scale, labels, np.stack(impostor, axis=1))
    parent = np.arange(n_clusters, dtype=np.int64)
    a, b = _unique_pairs(labels[cand_a], labels[cand_b], max(n_clusters, 1))
    rounds = merges = 0

    def linkage(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        link = stats.rms_linkage(a, b)
        if scale is None:
            return link
        count = stats.count[a] + stats.count[b]
        mean = (scale[a, 0] + scale[b, 0]) / count
        spread = (scale[a, 1] + scale[b, 1]) / count
        return (link - mean) / np.maximum(spread, 1e-6)

    link = linkage(a, b)
    while a.size:
        close = link <= threshold
        if not close.any():
            break
        rounds += 1
        a_c, b_c, l_c = a[close], b[close], link[close]
        # Each cluster's nearest partner (ties broken by the smaller partner id).
        ends = np.concatenate([a_c, b_c])
        partners = np.concatenate([b_c, a_c])
        dists = np.concatenate([l_c, l_c])
        order = np.lexsort((partners, dists, ends))
        first = np.r_[True, ends[order][1:] != ends[order][:-1]]
        nearest = np.full(n_clusters, -1, dtype=np.int64)
        nearest[ends[order][first]] = partners[order][first]
        mutual = nearest[a_c] == b_c
        mutual &= nearest[b_c] == a_c
        keep, gone = a_c[mutual], b_c[mutual]  # a < b, so the smaller id survives
        stats.merge_into(keep, gone)
        if scale is not None:
            scale[keep] += scale[gone]
        parent[gone] = keep
        merges += int(gone.size)
        changed = np.zeros(n_clusters, dtype=bool)
        changed[keep] = True
        changed[gone] = True
        # This round's edge-sized arrays go before the next linkage is measured (memory peak).
        del a_c, b_c, l_c, ends, partners, dists, order, first, mutual, close, keep, gone
        touched = changed[a] | changed[b]
        # Untouched pairs keep their ids and linkage; touched ones are renamed, deduplicated
        # (two pairs may now join the same clusters) and measured again.
        still = ~touched
        new_a, new_b = _unique_pairs(parent[a[touched]], parent[b[touched]], n_clusters)
        a = np.concatenate([a[still], new_a])
        b = np.concatenate([b[still], new_b])
        link = np.concatenate([link[still], linkage(new_a, new_b)])
    # Resolve merge chains: parent points to a survivor of its round, which may merge later.
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        parent = grand
    best_other = np.full(n_clusters, np.inf)
    best_large = np.full(n_clusters, np.inf)
    if a.size:
        np.minimum.at(best_other, a, link)
        np.minimum.at(best_other, b, link)
        large = stats.count >= large_size
        np.minimum.at(best_large, a[large[b]], link[large[b]])
        np.minimum.at(best_large, b[large[a]], link[large[a]])
    return Agglomeration(parent[labels], rounds, merges, best_other, best_large)

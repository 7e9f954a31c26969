"""k-nearest-neighbour graph of one embedding space, exact or approximate.

Clustering only needs each face's few nearest faces (a person's captures are each other's nearest
neighbours); the all-pairs loop of ``dlib.chinese_whispers_clustering`` is what makes it O(n²).
Exact search is one GEMM per chunk and is affordable to ~100k faces on 2 cores (about 1 minute).

Above that, measured on planted 128-d sets (same-person pairs 0.3-0.5 apart, others ~0.85):
faiss HNSW (M=16, efSearch=32) found only 60% of the pairs within 0.6 on 100k faces, M=32 found 93%
but builds too slowly for 1M on 2 cores; faiss IndexIVFFlat scans ran at ~1 GFLOP/s (10 min for 1M
queries at 12 probes). What works here: k-means partitions searched cell by cell with one BLAS
product per cell (rows probing the cell x its members), keeping only pairs within the reach the
clustering needs, and the union of several independent partitions (each finds ~78% of the pairs
at 4 probes; three find ~97%). The clustering then repairs the rest by searching again among the
persons it found (see ``clustering._person_pairs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np


@dataclass(frozen=True)
class KnnGraph:
    """Row i's neighbours and their Euclidean distances, nearest first; -1 pads missing ones."""

    neighbours: np.ndarray  # (N, k) int64
    distances: np.ndarray  # (N, k) float32, Euclidean (not squared)
    index_kind: str  # "exact" or "kmeans<cells>-cells,<tables>x<probes>-probes"

    def edges(self, max_distance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Undirected edges (i < j) within ``max_distance``, each pair once."""
        n, k = self.neighbours.shape
        rows = np.repeat(np.arange(n, dtype=np.int64), k)
        cols = self.neighbours.ravel()
        dist = self.distances.ravel()
        keep = (cols >= 0) & (cols != rows) & (dist <= max_distance)
        a, b, d = rows[keep], cols[keep], dist[keep]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key = lo * n + hi
        key, first = np.unique(key, return_index=True)
        return lo[first], hi[first], d[first]


def _search_chunks(
    index: faiss.Index, queries: np.ndarray, k: int, chunk: int
) -> tuple[np.ndarray, np.ndarray]:
    n = queries.shape[0]
    neighbours = np.empty((n, k), dtype=np.int64)
    squared = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        d2, idx = index.search(queries[start:stop], k)
        squared[start:stop] = d2
        neighbours[start:stop] = idx
    distances = np.sqrt(np.maximum(squared, 0.0, out=squared), out=squared)
    return neighbours, distances


def _merge_nearest(
    best_i: np.ndarray, best_d: np.ndarray, new_i: np.ndarray, new_d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest of two candidate lists per row (ids -1 / distance inf pad), each id once.

    A pair found through several partitions has the same id in both lists: all copies but one
    are dropped before the nearest are kept, so a row never lists a neighbour twice.
    """
    k = best_i.shape[1]
    ids = np.concatenate([best_i, new_i], axis=1)
    dist = np.concatenate([best_d, new_d], axis=1)
    order = np.argsort(ids, axis=1, kind="stable")
    ids = np.take_along_axis(ids, order, axis=1)
    dist = np.take_along_axis(dist, order, axis=1)
    repeated = np.zeros(ids.shape, dtype=bool)
    repeated[:, 1:] = (ids[:, 1:] == ids[:, :-1]) & (ids[:, 1:] >= 0)
    dist[repeated] = np.inf
    ids[repeated] = -1
    if ids.shape[1] > k:
        keep = np.argpartition(dist, k - 1, axis=1)[:, :k]
        ids = np.take_along_axis(ids, keep, axis=1)
        dist = np.take_along_axis(dist, keep, axis=1)
    ids[~np.isfinite(dist)] = -1
    return ids, dist


def _search_partition(
    x: np.ndarray,
    norms: np.ndarray,
    best: tuple[np.ndarray, np.ndarray],
    k: int,
    reach_sq: float,
    cells: int,
    probes: int,
    seed: int,
) -> None:
    """Improve every row's ``k`` nearest (squared distances within reach) through one partition.

    Each row lives in its nearest k-means cell and is compared with every member of its ``probes``
    nearest cells. The work is grouped by cell, so each cell is one BLAS product (all rows probing
    it against all its members) instead of one list scan per query: on 2 cores several times faster
    than faiss's IndexIVFFlat scan for 128-d vectors. Only each row's ``k`` nearest of a cell are
    kept, so memory stays that of the result (N x k) however crowded the space is.
    """
    n, dim = x.shape
    best_i, best_d = best
    kmeans = faiss.Kmeans(dim, cells, niter=10, seed=seed, max_points_per_centroid=64)
    rng = np.random.default_rng(seed)
    kmeans.train(x[np.sort(rng.choice(n, size=min(n, 64 * cells), replace=False))])
    _, probe = kmeans.index.search(x, probes)  # (n, probes) nearest cells, first = own cell
    member_order = np.argsort(probe[:, 0], kind="stable")
    member_bounds = np.searchsorted(probe[:, 0], np.arange(cells + 1), sorter=member_order)
    query_cell = probe.ravel()
    query_order = np.argsort(query_cell, kind="stable")
    query_bounds = np.searchsorted(query_cell, np.arange(cells + 1), sorter=query_order)
    query_rows = query_order // probes
    del probe, query_cell, query_order

    block = 1 << 12
    for cell in range(cells):
        members = member_order[member_bounds[cell] : member_bounds[cell + 1]]
        queries = query_rows[query_bounds[cell] : query_bounds[cell + 1]]
        if members.size == 0 or queries.size == 0:
            continue
        base = np.ascontiguousarray(-2.0 * x[members].T)
        member_norms = norms[members][None, :]
        for lo in range(0, queries.size, block):
            rows = queries[lo : lo + block]  # a row probes a cell once: no repeats in a block
            sq = x[rows] @ base  # |q - m|² = |q|² + |m|² - 2 q·m
            sq += norms[rows][:, None]
            sq += member_norms
            # only what beats a row's k-th best so far can enter its list
            bound = np.minimum(best_d[rows].max(axis=1), reach_sq)
            ids, sq = _nearest_within(sq, members, k, bound)
            best_i[rows], best_d[rows] = _merge_nearest(best_i[rows], best_d[rows], ids, sq)


def _nearest_within(
    sq: np.ndarray, members: np.ndarray, k: int, bound: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (up to) ``k`` nearest members within its ``bound``, padded with -1 / inf.

    Most rows have few members within bound: those are placed straight from the thresholded
    block (2-D ``np.nonzero`` is ~10x slower than ``flatnonzero``); only rows with more than
    ``k`` are partitioned.
    """
    rows, width = sq.shape
    ids = np.full((rows, k), -1, dtype=np.int64)
    dist = np.full((rows, k), np.inf, dtype=np.float32)
    within = sq <= bound[:, None]
    count = within.sum(axis=1)
    crowded = count > k
    flat = np.flatnonzero(within & ~crowded[:, None])
    row, col = np.divmod(flat, width)
    starts = np.cumsum(np.where(crowded, 0, count)) - np.where(crowded, 0, count)
    rank = np.arange(flat.size) - starts[row]
    ids[row, rank] = members[col]
    dist[row, rank] = sq.ravel()[flat]
    if crowded.any():
        many = np.flatnonzero(crowded)
        part = sq[many]
        nearest = np.argpartition(part, k - 1, axis=1)[:, :k]
        ids[many] = members[nearest]
        dist[many] = np.take_along_axis(part, nearest, axis=1)

    return ids, dist


def _partitioned_search(
    x: np.ndarray, k: int, reach: float, cells: int, tables: int, probes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k-NN within ``reach``: the best over ``tables`` independent partitions.

    A pair of captures split by one partition's cell boundary is rarely split by another, so
    recall grows like 1 - (1 - r)^tables; neighbours farther than ``reach`` are never needed.
    Memory is the N x k result and one cell's block of distances, whatever N.
    """
    n = x.shape[0]
    norms = np.einsum("ij,ij->i", x, x)
    best_i = np.full((n, k), -1, dtype=np.int64)
    best_d = np.full((n, k), np.inf, dtype=np.float32)
    for table in range(tables):
        _search_partition(
            x, norms, (best_i, best_d), k, float(reach) ** 2, cells, probes, seed + 7919 * table
        )
    # nearest first; a row is its own nearest neighbour (distance 0, found in its own cell)
    order = np.lexsort((best_i, best_d), axis=1)
    neighbours = np.take_along_axis(best_i, order, axis=1)
    distances = np.sqrt(np.maximum(np.take_along_axis(best_d, order, axis=1), 0.0))
    return neighbours, distances


def knn_graph(
    vectors: np.ndarray,
    k: int,
    *,
    exact_limit: int = 20_000,
    reach: float = np.inf,
    cells: int | None = None,
    tables: int = 2,
    probes: int = 4,
    seed: int = 0,
    chunk: int = 20_000,
) -> KnnGraph:
    """The k nearest neighbours of every row (itself included) under Euclidean distance.

    ``exact_limit`` rows or fewer are searched exhaustively. Larger inputs are searched
    approximately and only within ``reach`` (which must then be finite): ``tables`` independent
    partitions into ``cells`` k-means cells (default N/1000), each row searched in its ``probes``
    nearest cells of each.
    """
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = x.shape
    k = max(1, min(k, n))
    if n <= exact_limit:
        index = faiss.IndexFlatL2(dim)
        index.add(x)
        neighbours, distances = _search_chunks(index, x, k, chunk)
        return KnnGraph(neighbours, distances, "exact")
    if not np.isfinite(reach):
        raise ValueError("approximate search needs a finite reach")
    n_cells = max(2, min(cells or n // 1000, n // 8))
    n_probes = max(1, min(probes, n_cells))
    neighbours, distances = _partitioned_search(x, k, reach, n_cells, tables, n_probes, seed)
    kind = f"kmeans{n_cells}-cells,{tables}x{n_probes}-probes"
    return KnnGraph(neighbours, distances, kind)

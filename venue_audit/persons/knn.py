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


def _cell_edges(
    x: np.ndarray,
    lifted: tuple[np.ndarray, np.ndarray],
    reach_sq: float,
    cells: int,
    probes: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed pairs (query, member, squared distance) within reach, found through one partition.

    Each row lives in its nearest k-means cell and is compared with every member of its ``probes``
    nearest cells. The work is grouped by cell, so each cell is one BLAS product (all rows probing
    it against all its members) instead of one list scan per query: on 2 cores several times faster
    than faiss's IndexIVFFlat scan for 128-d vectors.
    """
    n, dim = x.shape
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

    as_query, as_member = lifted
    found_q: list[np.ndarray] = []
    found_m: list[np.ndarray] = []
    found_d: list[np.ndarray] = []
    block = 1 << 12
    for cell in range(cells):
        members = member_order[member_bounds[cell] : member_bounds[cell + 1]]
        queries = query_rows[query_bounds[cell] : query_bounds[cell + 1]]
        if members.size == 0 or queries.size == 0:
            continue
        base = as_member[members]
        for lo in range(0, queries.size, block):
            rows = queries[lo : lo + block]
            sq = as_query[rows] @ base.T
            flat = np.flatnonzero(sq <= reach_sq)  # 2-D np.nonzero is ~10x slower
            qi, mi = np.divmod(flat, members.size)
            found_q.append(rows[qi])
            found_m.append(members[mi])
            found_d.append(sq.ravel()[flat])
    return np.concatenate(found_q), np.concatenate(found_m), np.concatenate(found_d)


def _partitioned_search(
    x: np.ndarray, k: int, reach: float, cells: int, tables: int, probes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k-NN within ``reach``: the union over ``tables`` independent partitions.

    A pair of captures split by one partition's cell boundary is rarely split by another, so
    recall grows like 1 - (1 - r)^tables; neighbours farther than ``reach`` are never needed.
    """
    n = x.shape[0]
    norms = np.einsum("ij,ij->i", x, x)[:, None]
    ones = np.ones_like(norms)
    # |q - m|² = [q, |q|², 1] · [-2m, 1, |m|²]: one matrix product gives squared distances
    lifted = (np.hstack([x, norms, ones]), np.hstack([-2.0 * x, ones, norms]))
    del norms, ones
    reach_sq = float(reach) ** 2
    key = np.zeros(0, dtype=np.int64)
    dist = np.zeros(0, dtype=np.float32)
    for table in range(tables):
        q, m, d = _cell_edges(x, lifted, reach_sq, cells, probes, seed + 7919 * table)
        keep = q != m
        q, m, d = q[keep], m[keep], d[keep]
        # both directions: the pair was found from q's side only
        key = np.concatenate([key, q * n + m, m * n + q])
        dist = np.concatenate([dist, d, d])
        key, first = np.unique(key, return_index=True)
        dist = dist[first]
    rows, cols = key // n, key % n
    # keep each row's k nearest: sort by (row, distance)
    order = np.lexsort((cols, dist, rows))
    rows, cols, dist = rows[order], cols[order], dist[order]
    starts = np.searchsorted(rows, np.arange(n))
    rank = np.arange(rows.size) - starts[rows]
    keep = rank < k - 1
    neighbours = np.full((n, k), -1, dtype=np.int64)
    distances = np.full((n, k), np.inf, dtype=np.float32)
    neighbours[:, 0] = np.arange(n)
    distances[:, 0] = 0.0
    neighbours[rows[keep], rank[keep] + 1] = cols[keep]
    distances[rows[keep], rank[keep] + 1] = np.sqrt(np.maximum(dist[keep], 0.0))
    return neighbours, distances


def knn_graph(
    vectors: np.ndarray,
    k: int,
    *,
    exact_limit: int = 100_000,
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

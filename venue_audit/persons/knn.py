"""k-nearest-neighbour graph of one embedding space, exact or approximate, built in chunks.

Clustering only ever needs each face's few nearest faces (a person's captures are each other's
nearest neighbours); the all-pairs loop of ``dlib.chinese_whispers_clustering`` is what makes it
O(n²). Exact search is one GEMM per chunk and is affordable to ~100k faces on 2 cores; above that an
inverted-file index (faiss ``IndexIVFFlat``) searches only the cells near each query. IVF rather than
HNSW because its build is one k-means on a sample (seconds), where an HNSW build of 1M vectors on
2 cores takes most of the 10-minute budget on its own.
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
    index_kind: str  # "exact" or "ivf<nlist>,nprobe<p>"

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


def knn_graph(
    vectors: np.ndarray,
    k: int,
    *,
    exact_limit: int = 100_000,
    nlist: int | None = None,
    nprobe: int = 12,
    seed: int = 0,
    chunk: int = 20_000,
) -> KnnGraph:
    """The k nearest neighbours of every row (itself included) under Euclidean distance.

    ``exact_limit`` rows or fewer are searched exhaustively. Larger inputs use IVF with ``nlist``
    cells (default ~ 2·sqrt(N)) trained on a seeded sample, probing ``nprobe`` cells per query.
    """
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = x.shape
    k = max(1, min(k, n))
    if n <= exact_limit:
        index: faiss.Index = faiss.IndexFlatL2(dim)
        index.add(x)
        neighbours, distances = _search_chunks(index, x, k, chunk)
        return KnnGraph(neighbours, distances, "exact")

    cells = nlist or int(2 ** round(np.log2(2 * np.sqrt(n))))
    quantizer = faiss.IndexFlatL2(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, cells, faiss.METRIC_L2)
    ivf.cp.seed = seed
    rng = np.random.default_rng(seed)
    sample = x[np.sort(rng.choice(n, size=min(n, 64 * cells), replace=False))]
    ivf.train(sample)
    del sample
    ivf.add(x)
    ivf.nprobe = min(nprobe, cells)
    neighbours, distances = _search_chunks(ivf, x, k, chunk)
    return KnnGraph(neighbours, distances, f"ivf{cells},nprobe{ivf.nprobe}")

"""Is this run of bytes a face template? Strict float32 plausibility tests.

Templates are float32 vectors of 128 (dlib), 256 or 512 (ArcFace-style) dimensions. Random
bytes, text and images must never pass, so a vector is accepted only when it has
(a) every component finite and small (|x| <= 0.5 for raw vectors, <= 0.35 when unit-normalised
    512-d), with fewer than 2 % exact zeros and no denormal-sized noise (|x| < 1e-6),
(b) a plausible L2 norm: 0.8..1.8 for dlib-like 128-d vectors, 1 +- 0.02 for normalised ones,
(c) both signs in proportion (20..80 % negative): ASCII text has no sign bits set, and real
    embeddings are centred,
(d) many distinct values (>= 90 %): runs of one repeated pattern are padding, not features.
"""

from __future__ import annotations

import numpy as np

TEMPLATE_DIMS = (128, 256, 512)
DLIB_NORM = (0.8, 1.8)
UNIT_NORM_TOLERANCE = 0.02


def _component_mask(values: np.ndarray) -> np.ndarray:
    """Per-component plausibility used to find candidate runs quickly."""
    with np.errstate(invalid="ignore", over="ignore"):
        mag = np.abs(values)
        return np.isfinite(values) & (mag <= 0.5) & ((mag >= 1e-6) | (values == 0))


def template_kind(vector: np.ndarray) -> str | None:
    """Return 'dlib128' or 'unit<d>' when a float vector passes the tests above, else None."""
    d = vector.shape[0]
    if d not in TEMPLATE_DIMS:
        return None
    v = vector.astype(np.float64)
    if not np.all(np.isfinite(v)):
        return None
    mag = np.abs(v)
    if mag.max() > 0.5:
        return None
    zeros = int(np.count_nonzero(v == 0))
    if zeros > 0.02 * d or np.any((mag > 0) & (mag < 1e-6)):
        return None
    negative = int(np.count_nonzero(v < 0)) / d
    if not 0.2 <= negative <= 0.8:
        return None
    if len(np.unique(vector)) < 0.9 * d:
        return None
    norm = float(np.sqrt(np.sum(v * v)))
    if abs(norm - 1.0) <= UNIT_NORM_TOLERANCE and (d != 512 or mag.max() <= 0.35):
        return f"unit{d}"
    if d == 128 and DLIB_NORM[0] <= norm <= DLIB_NORM[1]:
        return "dlib128"
    return None


def blob_template_kind(blob: bytes) -> str | None:
    """Template kind of a whole blob stored as little-endian float32 (the common vendor layout)."""
    if len(blob) // 4 not in TEMPLATE_DIMS or len(blob) % 4:
        return None
    return template_kind(np.frombuffer(blob, dtype="<f4"))


def _window_prefilter(run: np.ndarray) -> np.ndarray:
    """Sorted offsets in ``run`` where a window of some template length passes the norm, sign
    and zero tests (computed for all windows at once from cumulative sums); ``template_kind``
    then decides only there."""
    v = run.astype(np.float64)
    sq = np.concatenate(([0.0], np.cumsum(v * v)))
    neg = np.concatenate(([0], np.cumsum(v < 0)))
    zero = np.concatenate(([0], np.cumsum(v == 0)))
    hits = []
    for d in TEMPLATE_DIMS:
        if len(v) < d:
            continue
        norm = np.sqrt(np.maximum(sq[d:] - sq[:-d], 0))
        frac_neg = (neg[d:] - neg[:-d]) / d
        ok = (frac_neg >= 0.2) & (frac_neg <= 0.8) & ((zero[d:] - zero[:-d]) <= 0.02 * d)
        norm_ok = np.abs(norm - 1.0) <= UNIT_NORM_TOLERANCE + 1e-6
        if d == 128:
            norm_ok |= (norm >= DLIB_NORM[0] - 1e-6) & (norm <= DLIB_NORM[1] + 1e-6)
        hits.append(np.flatnonzero(ok & norm_ok))
    return np.unique(np.concatenate(hits)) if hits else np.array([], dtype=np.int64)


def _next_candidate(candidates: np.ndarray, at: int) -> int | None:
    i = int(np.searchsorted(candidates, at))
    return int(candidates[i]) if i < len(candidates) else None


def find_template_runs(data: bytes) -> list[tuple[int, int, str]]:
    """Find templates anywhere in ``data``: [(byte offset, dims, kind)], non-overlapping.

    Each of the four byte alignments is viewed as float32; maximal runs of plausible
    components at least 128 long are split greedily into the largest dimension that passes.
    """
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for align in range(4):
        n = (len(data) - align) // 4
        if n < TEMPLATE_DIMS[0]:
            continue
        values = np.frombuffer(data, dtype="<f4", count=n, offset=align)
        mask = _component_mask(values)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
        for run_start, run_end in zip(edges[::2], edges[1::2], strict=True):
            if run_end - run_start < TEMPLATE_DIMS[0]:
                continue
            plausible = _window_prefilter(values[run_start:run_end])
            i = int(run_start)
            while run_end - i >= TEMPLATE_DIMS[0]:
                nxt = _next_candidate(plausible, i - int(run_start))
                if nxt is None:
                    break
                i = int(run_start) + nxt
                hit = None
                for dims in sorted(TEMPLATE_DIMS, reverse=True):
                    if run_end - i >= dims:
                        kind = template_kind(values[i : i + dims])
                        if kind is not None:
                            hit = (dims, kind)
                            break
                if hit is None:
                    i += 1
                    continue
                off = align + 4 * i
                end = off + 4 * hit[0]
                if not any(off < t_end and t_start < end for t_start, t_end in taken):
                    found.append((off, hit[0], hit[1]))
                    taken.append((off, end))
                i += hit[0]
    found.sort()
    return found

"""What "far apart" means in this evidence: impostor distances calibrated from the faces themselves.

A fixed distance threshold cannot serve both clean photos and small grey crops: on faces_dev the
best dlib threshold was 0.59 on photos and 0.45 on capture-like crops, and a threshold chosen on
one lost ~0.3 F1 on the other. Poor captures are not only farther from their own person, they are
closer to everybody (their embeddings crowd towards the middle of the space). So each face gets its
own impostor scale, measured on the evidence: the mean and spread of its distances to a cohort of
other faces (almost all of them other people, since a venue has many visitors), leaving out its
nearest few, which may be the same person. Clustering then compares distances in units of that
spread below that mean (score normalisation, as speaker and face verification do with a cohort).

Before that, the direction along which the evidence's faces vary most is removed when there are
enough faces to estimate it: on capture-like sets it is capture condition (grey or colour, size,
blur), not identity (held-out pairwise F1 +0.02-0.04 on every faces_dev set).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COHORT = 1000  # faces each face is compared with
NEAREST_SKIPPED = 3  # a face's nearest cohort members may be its own person: left out
NUISANCE_MIN_FACES = 200  # below this the strongest direction may be two people's difference
NUISANCE_SAMPLE = 20_000
# A small case's cohort is mostly a few people, each face's own among them: its scale is blended
# with the scale measured on large sets (median over the tune halves of faces_dev and its
# variants, nuisance kept: impostor mean 0.82-0.86, spread 0.087-0.091), weighted as this many faces.
PRIOR_MEAN = 0.84
PRIOR_SPREAD = 0.09
PRIOR_FACES = 200


@dataclass(frozen=True)
class Calibration:
    """The clustering space and each row's impostor mean and spread in it."""

    vectors: np.ndarray  # (N, D) float32, the nuisance direction removed when there were enough
    impostor_mean: np.ndarray  # (N,) float64
    impostor_spread: np.ndarray  # (N,) float64
    nuisance_removed: bool
    cohort: int


def _sample(x: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Up to ``size`` rows chosen by their content, not their position: the same faces in any
    order give the same sample, so the persons found never depend on the order of the evidence."""
    if x.shape[0] <= size:
        return x
    words = np.ascontiguousarray(x[:, :16]).view(np.uint32).astype(np.uint64)
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 2**31, size=words.shape[1], dtype=np.uint64) | np.uint64(1)
    key = (words * weights).sum(axis=1)  # wraps modulo 2**64: a hash of the row
    chosen = np.sort(np.argsort(key, kind="stable")[:size])
    return x[chosen]


def _without_nuisance(x: np.ndarray, seed: int) -> tuple[np.ndarray, bool]:
    n = x.shape[0]
    if n < NUISANCE_MIN_FACES:
        return x, False
    sample = _sample(x, NUISANCE_SAMPLE, seed).astype(np.float64)
    mean = sample.mean(axis=0)
    centred_sample = sample - mean
    # the leading eigenvector of the D x D covariance: the first right singular vector, without
    # an SVD of the whole sample (20,000 x 128)
    _, vectors = np.linalg.eigh(centred_sample.T @ centred_sample)
    axis = vectors[:, -1].astype(np.float32)
    out = np.empty_like(x)
    for lo in range(0, n, 1 << 16):  # in blocks: no temporary as large as the evidence
        centred = x[lo : lo + (1 << 16)] - mean.astype(np.float32)
        centred -= np.outer(centred @ axis, axis)
        out[lo : lo + (1 << 16)] = centred
    return out, True


def calibrate(x: np.ndarray, seed: int = 0, chunk: int = 8192) -> Calibration:
    """Impostor scale of every row of ``x`` (distinct vectors of one space, Euclidean)."""
    vectors, removed = _without_nuisance(np.ascontiguousarray(x, dtype=np.float32), seed)
    n = vectors.shape[0]
    if n < 2:
        return Calibration(vectors, np.full(n, PRIOR_MEAN), np.full(n, PRIOR_SPREAD), removed, 0)
    cohort = _sample(vectors, COHORT, seed + 1)
    skip = min(NEAREST_SKIPPED + 1, max(cohort.shape[0] - 2, 0))  # +1: the face itself
    cohort_sq = np.einsum("ij,ij->i", cohort, cohort)
    mean = np.empty(n)
    spread = np.empty(n)
    for lo in range(0, n, chunk):
        block = vectors[lo : lo + chunk]
        sq = (
            np.einsum("ij,ij->i", block, block)[:, None] + cohort_sq[None, :] - 2 * block @ cohort.T
        )
        d = np.sqrt(np.maximum(sq, 0.0))
        nearest = (np.partition(d, skip - 1, axis=1)[:, :skip] if skip else d[:, :0]).astype(
            np.float64
        )
        kept = d.shape[1] - skip
        total = d.sum(axis=1, dtype=np.float64) - nearest.sum(axis=1)
        squares = np.einsum("ij,ij->i", d, d, dtype=np.float64) - (nearest * nearest).sum(axis=1)
        mean[lo : lo + chunk] = total / kept
        spread[lo : lo + chunk] = np.sqrt(np.maximum(squares / kept - (total / kept) ** 2, 0.0))
    if not removed:  # a small case: lean on the scale of large ones
        weight = (cohort.shape[0] - skip) / (cohort.shape[0] - skip + PRIOR_FACES)
        mean = weight * mean + (1 - weight) * PRIOR_MEAN
        spread = weight * spread + (1 - weight) * PRIOR_SPREAD
    floor = max(float(np.median(spread)) * 0.25, 1e-3)  # a tiny cohort must not divide by ~0
    return Calibration(vectors, mean, np.maximum(spread, floor), removed, int(cohort.shape[0]))

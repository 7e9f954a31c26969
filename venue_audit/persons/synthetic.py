"""Planted-identity embedding sets whose true person count is known.

Real venue data never comes with ground truth, so every count the clustering reports is tested
(and benchmarked) against sets generated here. The generator imitates what makes dlib 128-d
embeddings hard to cluster rather than drawing isotropic blobs, which any threshold separates:

* identity centres are anisotropic (a decaying spectrum), so distances between people spread out
  the way real inter-person distances do (dlib: mostly 0.7-1.0, a tail towards 0.6);
* captures share global nuisance directions (pose, light, camera), so two people photographed under
  the same conditions are closer than their identities, and one person's captures vary along the
  same few axes;
* capture quality varies (a multiplier on the noise), with planted *outlier captures* of a person
  that sit 0.5-0.65 from the rest of that person (blur, profile, partial face);
* planted *near pairs* ("twins"): identities whose centres are closer than usual, so a few of their
  cross-person distances fall under dlib's 0.6.

Calibrated so that, on the default parameters, same-person distances are mostly below 0.5 and
different-person distances mostly above 0.6, like the labelled photos in ``shared/data/faces``
(same person 0.25-0.53, different persons 0.69-1.11 with dlib).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlantedSpec:
    """How a planted set is drawn; every field has a default calibrated on dlib statistics."""

    n_persons: int = 1000
    dim: int = 128
    seed: int = 0
    mean_captures: float = 4.0  # captures per person: 1 + geometric, heavy tail of regulars
    max_captures: int = 400
    centre_distance: float = 0.85  # typical distance between two identity centres
    min_centre_distance: float = 0.60  # closer identities are redrawn (except planted twins)
    spectrum_decay: float = 0.10  # per-dimension scale ~ (1 + k) ** -decay before normalising
    nuisance_dims: int = 16
    nuisance_share: float = 0.5  # share of the capture noise lying in the shared nuisance axes
    capture_noise: float = 0.26  # typical distance of a capture from its identity centre
    quality_sigma: float = 0.12  # log-normal spread of the per-capture noise multiplier
    max_capture_noise: float = 0.34  # normal captures farther from their centre are pulled in
    outlier_rate: float = 0.02  # share of captures (of persons with >= 3 captures) made outliers
    outlier_noise: tuple[float, float] = (0.40, 0.46)  # outlier's distance from its centre
    twin_rate: float = 0.02  # share of persons (with >= 2 captures) given a near identity
    twin_distance: tuple[float, float] = (0.54, 0.60)  # centre distance range of twins
    duplicate_rate: float = 0.0  # share of captures stored again byte-identically


# Wider-spread identities and noisier captures, for the adaptive (calibrated) dlib method at scale:
# distances then spread like dlib's on faces_dev (impostors 0.92 +- 0.15, calibrated impostor mean
# 0.84 and spread 0.08; same person 0.47 +- 0.06), where the defaults' narrow impostor spread
# (0.93 +- 0.07) makes every calibrated threshold lenient and merges near identities.
DLIB_LIKE: dict[str, object] = {
    "spectrum_decay": 0.5,
    "centre_distance": 0.72,
    "min_centre_distance": 0.55,
    "capture_noise": 0.33,
    "max_capture_noise": 0.45,
}


@dataclass(frozen=True)
class PlantedSet:
    """Embeddings, the true person of each row, and the planted hard cases for inspection."""

    embeddings: np.ndarray  # (N, dim) float32
    truth: np.ndarray  # (N,) int64 person index
    outliers: np.ndarray  # row indices of planted outlier captures
    twins: np.ndarray  # (T, 2) person index pairs planted as near identities
    duplicates: np.ndarray  # (P, 2) row pairs that are byte-identical copies
    spec: PlantedSpec

    @property
    def n_persons(self) -> int:
        return int(np.unique(self.truth).size)


def _capture_counts(rng: np.random.Generator, spec: PlantedSpec) -> np.ndarray:
    # 1 + geometric gives many one-off visitors and a tail of regulars (staff, frequent buyers).
    p = 1.0 / max(spec.mean_captures, 1.0)
    counts = rng.geometric(p, size=spec.n_persons)
    return np.minimum(counts, spec.max_captures).astype(np.int64)


def _centres(rng: np.random.Generator, spec: PlantedSpec) -> np.ndarray:
    scale = (1.0 + np.arange(spec.dim)) ** -spec.spectrum_decay
    # E|c_i - c_j|^2 = 2 * sum(scale^2) * s^2; choose s so the typical distance is centre_distance.
    s = spec.centre_distance / np.sqrt(2.0 * np.sum(scale**2))
    basis = np.linalg.qr(rng.standard_normal((spec.dim, spec.dim)))[0]
    centres = (rng.standard_normal((spec.n_persons, spec.dim)) * (scale * s)) @ basis.T
    centres = centres.astype(np.float32)
    _separate(rng, centres, spec.min_centre_distance, scale * s, basis)
    offset = rng.standard_normal(spec.dim).astype(np.float32) * 0.05  # real ones are not centred
    return centres + offset


def _separate(
    rng: np.random.Generator,
    centres: np.ndarray,
    min_distance: float,
    scale: np.ndarray,
    basis: np.ndarray,
) -> None:
    """Redraw identities closer than ``min_distance`` to another, so that truth is resolvable.

    Two people whose identity centres nearly coincide are one person to any face model; counting
    them as two would test the generator, not the clustering. Near pairs are planted on purpose
    (twins) after this step, at distances where several captures can still tell them apart.
    """
    import faiss

    from venue_audit.persons.knn import knn_graph

    seed = int(rng.integers(1 << 30))
    graph = knn_graph(centres, 2, exact_limit=20_000, reach=min_distance, seed=seed)
    rows = np.arange(centres.shape[0])
    close = graph.distances[:, 1] < min_distance
    # of each close pair redraw the later-numbered one, then check only the redrawn ones again
    redraw = np.flatnonzero(close & (graph.neighbours[:, 1] < rows))
    for _ in range(50):
        if redraw.size == 0:
            return
        centres[redraw] = (rng.standard_normal((redraw.size, centres.shape[1])) * scale) @ basis.T
        index = faiss.IndexFlatL2(centres.shape[1])
        index.add(centres)
        squared, neighbours = index.search(centres[redraw], 2)
        other = np.where(neighbours[:, 0] == redraw, neighbours[:, 1], neighbours[:, 0])
        nearest = np.sqrt(
            np.maximum(np.where(neighbours[:, 0] == redraw, squared[:, 1], squared[:, 0]), 0)
        )
        redraw = redraw[(nearest < min_distance) & (other >= 0)]


def _plant_twins(
    rng: np.random.Generator, spec: PlantedSpec, centres: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    n_twins = round(spec.twin_rate * spec.n_persons / 2)
    if n_twins == 0 or spec.n_persons < 2:
        return np.zeros((0, 2), dtype=np.int64)
    chosen = rng.permutation(np.flatnonzero(counts >= 2))[: 2 * n_twins]
    n_twins = chosen.size // 2
    chosen = chosen[: 2 * n_twins].reshape(n_twins, 2)
    low, high = spec.twin_distance
    for a, b in chosen:
        direction = rng.standard_normal(spec.dim)
        direction /= np.linalg.norm(direction)
        centres[b] = centres[a] + direction * rng.uniform(low, high)
    return chosen.astype(np.int64)


def make_planted_set(spec: PlantedSpec | None = None, **overrides: object) -> PlantedSet:
    """Draw a planted set; the same spec always gives the same bytes."""
    spec = spec or PlantedSpec()
    if overrides:
        spec = PlantedSpec(**{**spec.__dict__, **overrides})
    rng = np.random.default_rng(spec.seed)
    centres = _centres(rng, spec)
    counts = _capture_counts(rng, spec)
    twins = _plant_twins(rng, spec, centres, counts)
    truth = np.repeat(np.arange(spec.n_persons, dtype=np.int64), counts)
    n = truth.size

    nuisance = np.linalg.qr(rng.standard_normal((spec.dim, spec.nuisance_dims)))[0]
    # Per-axis scales so that the expected squared norm of each part matches its share.
    iso_scale = spec.capture_noise * np.sqrt((1.0 - spec.nuisance_share) / spec.dim)
    nui_scale = spec.capture_noise * np.sqrt(spec.nuisance_share / spec.nuisance_dims)
    quality = np.exp(rng.normal(0.0, spec.quality_sigma, size=n))

    outlier_mask = np.zeros(n, dtype=bool)
    if spec.outlier_rate > 0:
        eligible = counts[truth] >= 3
        outlier_mask = eligible & (rng.random(n) < spec.outlier_rate)
        # never make every capture of a person an outlier: keep each person's first capture normal
        first = np.r_[0, np.cumsum(counts)[:-1]]
        outlier_mask[first] = False

    embeddings = np.empty((n, spec.dim), dtype=np.float32)
    chunk = 1 << 16
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        m = stop - start
        noise = rng.standard_normal((m, spec.dim)) * iso_scale
        noise += (rng.standard_normal((m, spec.nuisance_dims)) * nui_scale) @ nuisance.T
        noise *= quality[start:stop, None]
        # Without a cap a few ordinary pairs of one person land beyond 0.6, where no method (and
        # no examiner) could call them one person; those are what outlier captures stand for.
        radius = np.linalg.norm(noise, axis=1)
        noise *= np.minimum(1.0, spec.max_capture_noise / np.maximum(radius, 1e-12))[:, None]
        out = outlier_mask[start:stop]
        if out.any():  # outliers sit at a drawn distance from their centre, not a drawn scale
            radius = rng.uniform(*spec.outlier_noise, size=int(out.sum()))
            noise[out] *= (radius / np.linalg.norm(noise[out], axis=1))[:, None]
        embeddings[start:stop] = centres[truth[start:stop]] + noise

    duplicates = np.zeros((0, 2), dtype=np.int64)
    if spec.duplicate_rate > 0:
        sources = np.flatnonzero(rng.random(n) < spec.duplicate_rate)
        copies = np.arange(n, n + sources.size)
        embeddings = np.concatenate([embeddings, embeddings[sources]])
        truth = np.concatenate([truth, truth[sources]])
        outlier_mask = np.concatenate([outlier_mask, outlier_mask[sources]])
        duplicates = np.stack([sources, copies], axis=1).astype(np.int64)

    # Shuffle so that row order carries no identity information.
    order = rng.permutation(truth.size)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return PlantedSet(
        embeddings=np.ascontiguousarray(embeddings[order]),
        truth=truth[order],
        outliers=np.sort(inverse[np.flatnonzero(outlier_mask)]),
        twins=twins,
        duplicates=inverse[duplicates] if duplicates.size else duplicates,
        spec=spec,
    )

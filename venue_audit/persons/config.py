"""Per-space clustering parameters: each embedding model has its own distance scale.

Thresholds are in the space's own metric (Euclidean distance for dlib, cosine *distance* = 1 - cos
for ArcFace/FaceNet-like spaces), so they can be compared with the model's published match
threshold. Templates of an unknown model get the unknown preset: a cosine scale chosen to be
conservative (splits rather than merges) and reported as uncalibrated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

Metric = Literal["euclidean", "cosine"]


@dataclass(frozen=True)
class ClusteringConfig:
    """Parameters of :func:`venue_audit.persons.cluster_space` for one embedding space.

    ``link_threshold``: faces closer than this (and among each other's ``k`` nearest) are joined
    outright; strict, so that two people never chain together through single close pairs.
    ``merge_threshold``: fragments are then merged while their average linkage (root mean square of
    all cross distances) stays under it; loose, so that a person's outlier captures rejoin them.
    ``band``: the merge threshold is swept over this range to give the confidence band of counts.
    """

    space: str = "dlib"
    metric: Metric = "euclidean"
    link_threshold: float = 0.50
    merge_threshold: float = 0.60
    band: tuple[float, float] = (0.50, 0.60)
    band_steps: int = 5
    k: int = 10
    exact_limit: int = 100_000
    tables: int = 3
    probes: int = 4
    refine: int = 3  # approximate graph only: rounds of search among the persons found
    cells: int | None = None
    seed: int = 0
    calibrated: bool = True
    notes: str = field(default="", compare=False)

    def with_(self, **changes: object) -> ClusteringConfig:
        return replace(self, **changes)  # type: ignore[arg-type]

    def band_thresholds(self) -> list[float]:
        low, high = self.band
        steps = max(self.band_steps, 2)
        return [round(low + (high - low) * i / (steps - 1), 6) for i in range(steps)]

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["band"] = list(self.band)
        return data


DLIB = ClusteringConfig(
    notes="dlib_face_recognition_resnet_model_v1: Euclidean, 0.6 is dlib's published match "
    "threshold (99.38% on LFW); 0.5 is where naive clustering stops merging different people.",
)
# ArcFace-family (insightface) 512-d: same person cos sim mostly > 0.4, different < 0.25.
ARCFACE = ClusteringConfig(
    space="arcface",
    metric="cosine",
    link_threshold=0.55,
    merge_threshold=0.65,
    band=(0.55, 0.70),
    notes="ArcFace-like 512-d, cosine distance; insightface verification threshold ~0.6-0.7.",
)
# FaceNet 512-d (facenet-pytorch / PhotoPrism style): PhotoPrism clusters at 0.64 distance.
FACENET = ClusteringConfig(
    space="facenet",
    metric="cosine",
    link_threshold=0.30,
    merge_threshold=0.40,
    band=(0.30, 0.45),
    notes="FaceNet-like, cosine distance on L2-normalised vectors.",
)
UNKNOWN = ClusteringConfig(
    space="unknown",
    metric="cosine",
    link_threshold=0.20,
    merge_threshold=0.30,
    band=(0.20, 0.40),
    calibrated=False,
    notes="Model unknown: conservative cosine thresholds, not calibrated; counts are indicative.",
)

PRESETS: dict[str, ClusteringConfig] = {
    "dlib": DLIB,
    "arcface": ARCFACE,
    "insightface": ARCFACE.with_(space="insightface"),
    "facenet": FACENET,
    "unknown": UNKNOWN,
}


def config_for_space(space: str) -> ClusteringConfig:
    """The preset for a space name such as ``dlib`` or ``arcface-512``; unknown ones get UNKNOWN."""
    key = space.lower()
    for name, preset in PRESETS.items():
        if key == name or key.startswith(name + "-") or key.startswith(name + "_"):
            return preset.with_(space=space)
    return UNKNOWN.with_(space=space)

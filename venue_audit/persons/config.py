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
    """

    space: str = "dlib"
    metric: Metric = "euclidean"
    link_threshold: float = 0.50
    merge_threshold: float = 0.60
    k: int = 10
    exact_limit: int = 20_000
    tables: int = 3
    probes: int = 4
    # Approximate graph only: rounds of search among the persons found. On 100k planted faces
    # (3 partitions) a first round changed 0.1 % of the groups and F1 not at all, and each round
    # costs ~15 % of the clustering: one round is kept as the repair.
    refine: int = 1
    cells: int | None = None
    seed: int = 0
    calibrated: bool = True
    # Adaptive (dlib): no fixed distance; each face's impostor scale is calibrated from the evidence
    # (persons.calibration) and groups merge while their RMS linkage is ``merge_spreads`` impostor
    # spreads or more below their impostor mean. No single-link stage: even 4 spreads chained
    # people together on faces_dev (held-out F1 0.80 instead of 0.89 on tight colour crops).
    adaptive: bool = True
    merge_spreads: float = -2.8
    # False for a model nobody calibrated: its templates join only through evidence keys.
    merge_by_distance: bool = True
    notes: str = field(default="", compare=False)

    def with_(self, **changes: object) -> ClusteringConfig:
        return replace(self, **changes)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


DLIB = ClusteringConfig(
    notes="dlib_face_recognition_resnet_model_v1: Euclidean; thresholds calibrated per face from "
    "the evidence, the number of spreads chosen on the tune half of faces_dev and its capture-like "
    "variants (scripts/bench_persons.py).",
)
# ArcFace-family (insightface) 512-d: same person cos sim mostly > 0.4, different < 0.25.
ARCFACE = ClusteringConfig(
    adaptive=False,
    space="arcface",
    metric="cosine",
    link_threshold=0.55,
    merge_threshold=0.65,
    notes="ArcFace-like 512-d, cosine distance; insightface verification threshold ~0.6-0.7.",
)
# FaceNet 512-d (facenet-pytorch / PhotoPrism style): PhotoPrism clusters at 0.64 distance.
FACENET = ClusteringConfig(
    adaptive=False,
    space="facenet",
    metric="cosine",
    link_threshold=0.30,
    merge_threshold=0.40,
    notes="FaceNet-like, cosine distance on L2-normalised vectors.",
)
UNKNOWN = ClusteringConfig(
    adaptive=False,
    merge_by_distance=False,
    space="unknown",
    metric="cosine",
    link_threshold=0.20,
    merge_threshold=0.30,
    calibrated=False,
    notes="Model unknown: distances mean nothing known, so templates are joined only by evidence "
    "keys (person ids, one record); counts are an upper bound.",
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

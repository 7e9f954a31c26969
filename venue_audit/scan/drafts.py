"""Artifacts and records as the scanner assembles them, before they get database ids.

A *record* is one stored capture (DESIGN.md counting rules): a file, an archive
member, or a database row. It holds one or more *artifacts* (a crop, its
template, a full frame); each artifact holds zero or more faces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class FaceDraft:
    embedding: np.ndarray
    space: str
    bbox: tuple[int, int, int, int] | None = None
    landmarks: list[tuple[float, float]] | None = None
    quality: float | None = None


@dataclass
class ArtifactDraft:
    locator: str
    kind: str
    sha256: str = ""
    deleted: bool = False
    captured_at: str | None = None
    captured_at_source: str | None = None
    captured_at_offset: str | None = None  # stored / absolute / assumed (consent.timestamps)
    person_key: str | None = None
    person_key_kind: str | None = None
    camera: str | None = None  # the camera or recorder channel that took it, where the store says
    model_guess: str | None = None
    width: int | None = None
    height: int | None = None
    pdq: str | None = None
    phash: str | None = None
    confidence: float | None = None
    faces: list[FaceDraft] = field(default_factory=list)
    image: bytes | None = None


@dataclass
class RecordDraft:
    """One capture record; its images are analysed in a batch before it is written."""

    key: str
    store_locator: str
    evidence_id: int | None
    artifacts: list[ArtifactDraft] = field(default_factory=list)

    @property
    def pending_images(self) -> list[ArtifactDraft]:
        return [a for a in self.artifacts if a.image is not None]

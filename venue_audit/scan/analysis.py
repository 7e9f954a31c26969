"""Run the face engine over the pictures a batch of records holds.

Pictures are analysed in batches across records (and across evidence files),
so the engine's process pool stays busy with small crops from a database as
well as with folders of full frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from venue_audit.faces import (
    EMBEDDING_SPACE,
    EngineConfig,
    FaceInputError,
    FaceResultCache,
    ImageAnalysis,
    NoDetectableFace,
    analyze_many,
)
from venue_audit.scan.drafts import ArtifactDraft, FaceDraft, RecordDraft

CROP_MAX_SIDE = 400
CROP_MIN_FACE_SHARE = 0.15
CONFIRM_DISTANCE = 0.1
NO_FACE_MESSAGE = "stored picture without a detectable face"


@dataclass
class ImageOutcome:
    artifact: ArtifactDraft
    record: RecordDraft
    error: FaceInputError | None = None


def analyse(
    records: list[RecordDraft],
    config: EngineConfig,
    workers: int,
    pool: Any = None,
    cache: FaceResultCache | None = None,
) -> Iterator[ImageOutcome]:
    """Fill in faces, fingerprints and kind of every pending picture; yields each outcome.

    ``pool`` (from :func:`venue_audit.faces.face_pool`) is reused across batches;
    ``cache`` makes a re-scan, and every exact duplicate, cost nothing.
    """
    jobs = [(record, artifact) for record in records for artifact in record.pending_images]
    results = analyze_many(
        ((i, artifact.image) for i, (_, artifact) in enumerate(jobs)),
        config,
        workers,
        cache=cache,
        pool=pool,
    )
    for (index, result), (record, artifact) in zip(results, jobs, strict=True):
        assert index is not None
        artifact.image = None
        if isinstance(result, FaceInputError):
            # The engine names each input by its position in this batch, which differs
            # between a resumed and an uninterrupted scan: the reason keeps the message only.
            result.args = (result.message,)
            yield ImageOutcome(artifact, record, result)
            continue
        stored_as_face = artifact.kind == "face_crop"
        apply_analysis(artifact, result)
        if stored_as_face and not result.faces:
            yield ImageOutcome(artifact, record, NoDetectableFace(NO_FACE_MESSAGE))
            continue
        yield ImageOutcome(artifact, record)
    for record in records:
        confirm_templates(record)


def apply_analysis(artifact: ArtifactDraft, result: ImageAnalysis) -> None:
    artifact.sha256 = result.sha256
    artifact.pdq, artifact.phash = result.pdq, result.phash
    artifact.width, artifact.height = result.width, result.height
    artifact.faces = [
        FaceDraft(
            face.embedding,
            EMBEDDING_SPACE,
            tuple(int(v) for v in face.bbox),
            [tuple(map(float, p)) for p in face.landmarks],
            float(face.quality),
        )
        for face in result.faces
    ]
    if artifact.kind in ("face_crop", "raw_frame"):
        artifact.kind = "face_crop" if is_crop(result) else "raw_frame"


def is_crop(result: ImageAnalysis) -> bool:
    """A stored face picture (one face filling much of a small image) rather than a scene."""
    if len(result.faces) != 1:
        return False
    top, right, bottom, left = result.faces[0].bbox
    share = max(0, right - left) * max(0, bottom - top) / max(1, result.width * result.height)
    return max(result.width, result.height) <= CROP_MAX_SIDE or share >= CROP_MIN_FACE_SHARE


def confirm_templates(record: RecordDraft) -> None:
    """A stored 128-d template that equals our encoding of the same row's crop is in dlib's space.

    Only then is it clustered together with faces from pictures; any other
    template stays in its own space (DESIGN.md: spaces are never mixed).
    """
    crops = [face.embedding for a in record.artifacts if a.kind != "template" for face in a.faces]
    if not crops:
        return
    import numpy as np

    for artifact in record.artifacts:
        if artifact.kind != "template" or not artifact.faces:
            continue
        template = artifact.faces[0]
        if template.embedding.size != 128:
            continue
        distance = min(float(np.linalg.norm(template.embedding - crop)) for crop in crops)
        if distance <= CONFIRM_DISTANCE:
            template.space = EMBEDDING_SPACE
            artifact.model_guess = (
                f"{EMBEDDING_SPACE} (confirmed: within {CONFIRM_DISTANCE} of the re-encoded crop)"
            )

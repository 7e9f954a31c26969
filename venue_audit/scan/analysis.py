"""What the face engine's results mean for the records that hold the pictures.

The scan (:func:`venue_audit.scan.pipeline.analysed`) streams pictures across
records and evidence files through the engine's pool; each result is settled
here on its artifact: fingerprints, faces, crop or frame, and the problem to
report when a stored face shows none.
"""

from __future__ import annotations

from venue_audit.faces import (
    EMBEDDING_SPACE,
    FaceInputError,
    ImageAnalysis,
    NoDetectableFace,
)
from venue_audit.scan.drafts import ArtifactDraft, FaceDraft, RecordDraft
from venue_audit.sources.base import Problem

CROP_MAX_SIDE = 400
CROP_MIN_FACE_SHARE = 0.15
CONFIRM_DISTANCE = 0.1
NO_FACE_MESSAGE = "stored picture without a detectable face"


def settle(
    artifact: ArtifactDraft, result: ImageAnalysis | FaceInputError
) -> FaceInputError | None:
    """Apply the engine's result for one picture to its artifact; the problem to report, if any.

    A picture stored as a face (a capture system's crop) in which no face is found is
    a problem of its own: the store says it holds a face we could not see.
    """
    artifact.image = None
    if isinstance(result, FaceInputError):
        # The engine names each input by its position in the stream, which differs
        # between a resumed and an uninterrupted scan: the reason keeps the message only.
        result.args = (result.message,)
        return result
    stored_as_face = artifact.kind == "face_crop"
    apply_analysis(artifact, result)
    if stored_as_face and not result.faces:
        return NoDetectableFace(NO_FACE_MESSAGE)
    return None


def face_problem(locator: str, error: FaceInputError) -> Problem:
    """A picture the engine could not analyse, located, with its reason code (``faces.corrupt`` …)."""
    return Problem(locator, str(error), f"faces.{error.reason}", {"detail": error.message})


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

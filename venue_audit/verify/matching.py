"""Does an artifact of the baseline still exist in the after-state? Three independent ways.

- *exact*: the same SHA-256 (the file or blob was kept as it was);
- *perceptual*: a close PDQ or pHash (the picture was re-encoded, resized or
  recompressed, so its bytes changed but it is the same picture);
- *same capture*: a face so close to the baseline face, in the same embedding space,
  that it is this capture again (a re-encoded picture, a template recomputed from the
  same crop), not another picture of the same person.

Only these say that *this record* remains. A face of the same person at the looser
identity distance is another capture; it is reported per person
(:meth:`AfterIndex.same_person`), never as this record's residue.

The distances were measured on the real photos in ``tests/data/faces`` with the dlib
encoder: the same picture resized to 50–100 % and saved at JPEG quality 30–85 stays within
0.13 of itself (40 variants); two different photos of one person are at least 0.34 apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PDQ_MAX_DISTANCE = 31  # of 256 bits: the threshold PDQ's authors use for "same picture"
PHASH_MAX_DISTANCE = 8  # of 64 bits
SAME_CAPTURE_DISTANCE = {"dlib-resnet-v1-128": 0.2}
DEFAULT_SAME_CAPTURE_DISTANCE = 0.1
SAME_PERSON_DISTANCE = {"dlib-resnet-v1-128": 0.45}
DEFAULT_SAME_PERSON_DISTANCE = 0.25


@dataclass(frozen=True)
class AfterArtifact:
    id: int
    locator: str
    store: str
    deleted: bool
    sha256: str
    pdq: str | None
    phash: str | None


@dataclass(frozen=True)
class Match:
    how: str
    after: AfterArtifact
    distance: float = 0.0


def _bits(hashes: list[str | None], size: int) -> np.ndarray:
    """Hex hashes as rows of bytes (zeros where a hash is missing), for vectorised Hamming distances."""
    rows = np.zeros((len(hashes), size), dtype=np.uint8)
    for row, value in enumerate(hashes):
        if value and len(value) == size * 2:
            rows[row] = np.frombuffer(bytes.fromhex(value), dtype=np.uint8)
    return rows


class AfterIndex:
    """The after-state's artifacts and faces, indexed for the three kinds of match."""

    def __init__(
        self, artifacts: list[AfterArtifact], faces: list[tuple[int, str, np.ndarray]]
    ) -> None:
        self.by_id = {a.id: a for a in artifacts}
        self.by_sha: dict[str, list[AfterArtifact]] = {}
        for artifact in artifacts:
            self.by_sha.setdefault(artifact.sha256, []).append(artifact)
        self.pictures = [a for a in artifacts if a.pdq or a.phash]
        self._pdq = _bits([a.pdq for a in self.pictures], 32)
        self._phash = _bits([a.phash for a in self.pictures], 8)
        self.faces: dict[str, tuple[np.ndarray, list[int]]] = {}
        grouped: dict[str, list[tuple[int, np.ndarray]]] = {}
        for artifact_id, space, embedding in faces:
            grouped.setdefault(space, []).append((artifact_id, embedding))
        for space, rows in grouped.items():
            self.faces[space] = (np.vstack([e for _, e in rows]), [i for i, _ in rows])

    def match(
        self,
        sha256: str,
        pdq: str | None,
        phash: str | None,
        faces: list[tuple[str, np.ndarray]],
        face_limit: float | None = None,
    ) -> list[Match]:
        """This artifact again; ``face_limit`` replaces the same-capture face distance."""
        found = [Match("exact", a) for a in self.by_sha.get(sha256, [])]
        if found:
            return found
        for how, bits, value, size, limit in (
            ("perceptual (PDQ)", self._pdq, pdq, 32, PDQ_MAX_DISTANCE),
            ("perceptual (pHash)", self._phash, phash, 8, PHASH_MAX_DISTANCE),
        ):
            if not value or not len(self.pictures):
                continue
            distances = np.unpackbits(bits ^ _bits([value], size), axis=1).sum(axis=1)
            valid = bits.any(axis=1)
            for index in np.flatnonzero((distances <= limit) & valid):
                found.append(Match(how, self.pictures[index], float(distances[index])))
            if found:
                return found
        if found:
            return found
        if face_limit is not None:
            return self._faces_within(faces, {}, face_limit, "same capture (face)")
        return self._faces_within(
            faces, SAME_CAPTURE_DISTANCE, DEFAULT_SAME_CAPTURE_DISTANCE, "same capture (face)"
        )

    def same_person(self, faces: list[tuple[str, np.ndarray]]) -> list[Match]:
        """After-state faces of the same person (other captures included)."""
        return self._faces_within(
            faces, SAME_PERSON_DISTANCE, DEFAULT_SAME_PERSON_DISTANCE, "same person"
        )

    def _faces_within(
        self,
        faces: list[tuple[str, np.ndarray]],
        limits: dict[str, float],
        default: float,
        how: str,
    ) -> list[Match]:
        found: list[Match] = []
        for space, embedding in faces:
            if space not in self.faces:
                continue
            matrix, ids = self.faces[space]
            distances = np.linalg.norm(matrix - embedding, axis=1)
            for index in np.flatnonzero(distances <= limits.get(space, default)):
                found.append(Match(how, self.by_id[ids[index]], float(distances[index])))
        return sorted(found, key=lambda m: m.distance)

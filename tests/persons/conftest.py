"""Fixtures for the persons tests: real dlib embeddings of the labelled photos, computed once."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import pytest

from tests.conftest import TEST_FACES

FACES = TEST_FACES


@dataclass(frozen=True)
class LabelledFaces:
    embeddings: np.ndarray  # (N, 128) float32, dlib
    identities: list[str]  # "" for faces of multi-face photos
    paths: list[str]


def _encode_all() -> LabelledFaces:
    import face_recognition

    embeddings: list[np.ndarray] = []
    identities: list[str] = []
    paths: list[str] = []
    with (FACES / "labels.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            image = face_recognition.load_image_file(FACES / row["path"])
            locations = face_recognition.face_locations(image, number_of_times_to_upsample=1)
            for encoding in face_recognition.face_encodings(image, locations):
                embeddings.append(encoding.astype(np.float32))
                identities.append(row["identity"])
                paths.append(row["path"])
    return LabelledFaces(np.stack(embeddings), identities, paths)


@pytest.fixture(scope="session")
def labelled_faces() -> LabelledFaces:
    """Every face dlib's HOG detector finds in ``tests/data/faces`` (about 10 s, once a session)."""
    if not (FACES / "labels.csv").exists():
        pytest.skip(f"labelled photos not found at {FACES}")
    return _encode_all()

"""Counts and identities on the real photos, with the default engine (min face 40 px)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.faces.conftest import LabelledPhoto
from venue_audit.faces import ImageAnalysis

pytestmark = pytest.mark.slow

Analysed = list[tuple[LabelledPhoto, ImageAnalysis]]


def test_every_photo_has_the_labelled_number_of_faces(analysed_photos: Analysed) -> None:
    counts = {photo.name: len(result.faces) for photo, result in analysed_photos}
    expected = {photo.name: photo.faces for photo, _ in analysed_photos}
    assert counts == expected


def test_each_single_face_photo_matches_its_own_identity_and_no_other(
    analysed_photos: Analysed,
) -> None:
    singles = [(p, r.faces[0].embedding) for p, r in analysed_photos if p.identity]
    for photo, embedding in singles:
        for other, other_embedding in singles:
            if other is photo:
                continue
            distance = float(np.linalg.norm(embedding - other_embedding))
            same = other.identity == photo.identity
            assert (distance <= 0.6) == same, (photo.name, other.name, distance)


def test_faces_carry_box_landmarks_embedding_and_quality(analysed_photos: Analysed) -> None:
    for photo, result in analysed_photos:
        for face in result.faces:
            top, right, bottom, left = face.bbox
            assert 0 <= left < right < result.width and 0 <= top < bottom < result.height
            assert len(face.landmarks) == 5
            assert face.embedding.dtype == np.float32 and face.embedding.shape == (128,)
            assert 0.0 <= face.quality <= 1.0, photo.name


def test_each_photo_has_sha256_pdq_and_phash(analysed_photos: Analysed) -> None:
    import hashlib

    for photo, result in analysed_photos:
        assert result.sha256 == hashlib.sha256(photo.path.read_bytes()).hexdigest()
        assert len(result.pdq) == 64 and int(result.pdq, 16) >= 0
        assert 0 <= result.pdq_quality <= 100
        assert len(result.phash) == 16


def test_the_same_photo_at_two_resolutions_has_close_perceptual_hashes(
    analysed_photos: Analysed,
) -> None:
    by_name = {p.name: r for p, r in analysed_photos}
    small, large = by_name["obama/5_240p.jpg"], by_name["obama/6_720p.jpg"]
    phash_distance = bin(int(small.phash, 16) ^ int(large.phash, 16)).count("1")
    pdq_distance = bin(int(small.pdq, 16) ^ int(large.pdq, 16)).count("1")
    assert phash_distance <= 8
    assert pdq_distance <= 31
    unrelated = by_name["biden/2.jpg"]
    assert bin(int(small.pdq, 16) ^ int(unrelated.pdq, 16)).count("1") > 31


def test_the_rgba_png_gives_the_same_face_as_its_jpeg_twin(analysed_photos: Analysed) -> None:
    by_name = {p.name: r for p, r in analysed_photos}
    jpeg, png = by_name["obama/2.jpg"], by_name["obama/9_rgba32.png"]
    assert float(np.linalg.norm(jpeg.faces[0].embedding - png.faces[0].embedding)) < 0.1

"""Faces in the report are blurred past recognition unless the examiner asks for a sealed annex."""

from __future__ import annotations

import io
from pathlib import Path

import face_recognition
import numpy as np
import pytest
from PIL import Image
from report_samples import face_crop_bytes, make_report_data

from tests.pdf_reading import embedded_images
from venue_audit.report.redact import ThumbnailError, high_frequency_energy, make_thumbnail
from venue_audit.report.render import render_report

SAME_PERSON = 0.6  # dlib's usual same-person distance


def _as_array(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def _encoding_at_centre(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    box = (height // 6, width * 5 // 6, height * 5 // 6, width // 6)
    return face_recognition.face_encodings(image, [box])[0]


def test_blurred_thumbnail_no_longer_matches_the_face() -> None:
    sharp = _as_array(make_thumbnail(face_crop_bytes(), redact=False))
    blurred = _as_array(make_thumbnail(face_crop_bytes(), redact=True))
    reference = _encoding_at_centre(sharp)
    assert face_recognition.face_locations(sharp), (
        "the unblurred crop should hold a detectable face"
    )
    assert face_recognition.face_locations(blurred) == []
    assert np.linalg.norm(_encoding_at_centre(blurred) - reference) > SAME_PERSON


def test_blur_removes_almost_all_fine_detail() -> None:
    sharp = Image.open(io.BytesIO(make_thumbnail(face_crop_bytes(), redact=False)))
    blurred = Image.open(io.BytesIO(make_thumbnail(face_crop_bytes(), redact=True)))
    assert high_frequency_energy(blurred) < high_frequency_energy(sharp) / 50


def test_corrupt_image_bytes_raise_a_typed_error() -> None:
    with pytest.raises(ThumbnailError):
        make_thumbnail(b"\xff\xd8\xff\xe0 not really a jpeg")


@pytest.mark.parametrize("redact", [True, False])
def test_thumbnails_in_the_pdf_are_blurred_unless_no_redact(tmp_path: Path, redact: bool) -> None:
    data = make_report_data(records=50, persons=10)
    outputs = render_report(data, tmp_path / "out" / "report.pdf", redact=redact)
    images = embedded_images(outputs.pdf)
    assert len(images) == len(data.findings[0].thumbnails)
    energies = [high_frequency_energy(Image.fromarray(image)) for image in images]
    faces = [face_recognition.face_locations(image) for image in images]
    if redact:
        assert all(energy < 20 for energy in energies), energies
        assert not any(faces)
    else:
        assert all(energy > 200 for energy in energies), energies
        assert all(faces)

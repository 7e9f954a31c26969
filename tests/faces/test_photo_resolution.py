"""Photos larger than the engine's photo_max_side are searched on a reduced copy, as the CLI does.

face_recognition's CLI thumbnails every picture to 1,600 px before it looks for faces; the
engine does the same, and its minimum face size counts in pixels of that copy. Boxes still come
back in the photo's own pixels.
"""

from __future__ import annotations

import dlib
import numpy as np
import pytest
from PIL import Image

from tests.faces.conftest import FACES
from venue_audit.faces.decode import decode_image
from venue_audit.faces.detection import detect_faces


def _iou(a: dlib.rectangle, b: dlib.rectangle) -> float:
    inter = a.intersect(b)
    shared = inter.area() if not inter.is_empty() else 0
    return shared / (a.area() + b.area() - shared)


def _face_on_wide_canvas(face_side: int, canvas: tuple[int, int]) -> np.ndarray:
    """A real face scaled so that dlib's box is about ``face_side`` px, on a plain canvas."""
    photo = decode_image((FACES / "obama" / "1.jpg").read_bytes())
    box = dlib.get_frontal_face_detector()(photo, 0)[0]
    scale = face_side / box.width()
    half = box.width()
    crop = Image.fromarray(photo).crop(
        (box.left() - half, box.top() - half, box.right() + half, box.bottom() + half)
    )
    crop = crop.resize((round(crop.width * scale), round(crop.height * scale)))
    wide = Image.new("RGB", canvas, (128, 128, 128))
    wide.paste(crop, (canvas[0] // 2, (canvas[1] - crop.height) // 2))
    return np.asarray(wide)


@pytest.mark.slow
def test_a_photo_over_the_cap_gives_the_same_faces_in_its_own_pixels() -> None:
    photo = decode_image((FACES / "multi" / "obama_and_biden.jpg").read_bytes())
    assert max(photo.shape[:2]) == 2000
    capped = detect_faces(photo, 40, crop_fast_path=False, grey=True, photo_max_side=1600)
    full = detect_faces(photo, 40, crop_fast_path=False, grey=True, photo_max_side=0)
    assert len(capped) == len(full) == 3
    for found in capped:
        assert max(_iou(found.rect, other.rect) for other in full) > 0.7


def test_the_minimum_face_size_counts_in_pixels_of_the_capped_copy() -> None:
    picture = _face_on_wide_canvas(120, (3200, 800))  # 120 px here, 60 px in a 1,600 px copy
    assert detect_faces(picture, 80, crop_fast_path=False, photo_max_side=1600) == []
    found = detect_faces(picture, 80, crop_fast_path=False, photo_max_side=0)
    assert len(found) == 1
    assert 100 <= found[0].rect.width() <= 140 and found[0].rect.left() > 1600

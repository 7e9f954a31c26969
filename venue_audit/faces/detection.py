"""HOG face detection at a working resolution chosen from the smallest face wanted.

dlib's HOG detector scans an 80x80 window over an image pyramid; on this
project's photos it finds faces whose box is 50-62 px at native size
(``DETECTOR_MIN_FACE`` keeps a margin). To find faces of ``min_face_size`` px
and larger we therefore detect on a copy scaled by ``DETECTOR_MIN_FACE /
min_face_size``: a downscaled copy when only large faces matter (HOG time is
linear in pixels), an upscaled one for small faces (where face_recognition would
upsample 2x). A photo larger than the engine's ``photo_max_side`` (1,600 px, the
cap face_recognition's CLI applies) is first reduced to it, and the minimum face
size counts in pixels of that copy: the detector's cost is linear in pixels, and
the CLI finds nothing smaller there either. Boxes are mapped back to original
pixels; landmarks and encodings always use the full-resolution image.

Stored face crops (人脸小图): capture cameras and databases keep "face pictures"
that are a face and little else, often cut so tight that HOG's window never fits
(it found 26 of 380 tight 96x110 crops). A small picture therefore goes first to
BlazeFace short-range on the picture with a border (:mod:`.blazeface`, ~2 ms);
one face filling the picture is the crop's face and the HOG pass is skipped. A
picture BlazeFace does not settle goes through HOG as before, and BlazeFace's
faces that HOG missed are added, so a small scene never loses a face HOG finds.

A small picture in which neither found a face gets a second try (:func:`_second_try`): the faces
both models agreed on are kept down to ``CROP_MIN_FACE`` (a loosely framed 60 px crop holds a
25 px face, under the scene's smallest face), then the mirrored picture, then the picture
enlarged twice, are searched. On faces_dev's loose grey crops the misses were faces BlazeFace had
found whose dlib eyes sat 0.1-0.2 of the face's width from BlazeFace's: on small grey faces
dlib's 5-point model is noisy, and mirroring or enlarging gives it another look. The eyes must
still agree in the view that found the face, so a logo stays a logo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import dlib
import numpy as np

from venue_audit.faces import blazeface
from venue_audit.faces.models import hog_detector, landmark_predictor

DETECTOR_MIN_FACE = 64
CROP_CONFIRM_SIDE = 120
# A stored crop's face is a record whatever its size; below this no landmark can be placed.
CROP_MIN_FACE = 16
# BlazeFace's box sits a little lower on the face than the HOG box dlib's 5-point landmark
# model was trained with (median offset on faces_dev where both detect; sizes agree within 2%).
BLAZE_TO_HOG_SHIFT = -0.034
# Two models must agree where the eyes are: BlazeFace's key points and dlib's 5-point landmarks on
# its box. On real crops they differ by at most 0.06 of the face's width; on a round logo that
# BlazeFace scored 0.49, by 0.13.
EYE_AGREEMENT = 0.1


@dataclass(frozen=True)
class Detection:
    rect: dlib.rectangle  # in original pixels, not trimmed to the image
    fast_path: bool
    # dlib's 5-point landmarks on ``rect`` when detection already placed them (the crop
    # path checks them against BlazeFace's eyes); the engine then does not place them again.
    shape: dlib.full_object_detection | None = None


def working_scale(min_face_size: int) -> float:
    return DETECTOR_MIN_FACE / float(min_face_size)


def _resized(rgb: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-9:
        return rgb
    height, width = rgb.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Area averaging only pays for strong reductions; for mild ones it is 3x slower than
    # bilinear and changes nothing the detector can see.
    interpolation = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
    return cv2.resize(rgb, size, interpolation=interpolation)


def _detect_scaled(rgb: np.ndarray, scale: float, grey: bool = False) -> list[dlib.rectangle]:
    if grey:
        # dlib's HOG takes, per pixel, the strongest gradient over the colour channels;
        # on luma it computes one gradient instead of three (about 30% faster).
        rgb = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = _resized(rgb, scale)
    found = hog_detector()(small, 0)
    height, width = rgb.shape[:2]
    sx = width / small.shape[1]
    sy = height / small.shape[0]
    return [
        dlib.rectangle(
            round(r.left() * sx),
            round(r.top() * sy),
            round((r.right() + 1) * sx) - 1,
            round((r.bottom() + 1) * sy) - 1,
        )
        for r in found
    ]


def _blaze_rect(found: blazeface.BlazeDetection) -> dlib.rectangle:
    """BlazeFace's box as the HOG-like square dlib's landmark model expects."""
    side = (found.width + found.height) / 2
    cx = (found.left + found.right) / 2
    cy = (found.top + found.bottom) / 2 + BLAZE_TO_HOG_SHIFT * side
    half = side / 2
    return dlib.rectangle(
        round(cx - half), round(cy - half), round(cx + half) - 1, round(cy + half) - 1
    )


def _agreeing_shape(
    rgb: np.ndarray, rect: dlib.rectangle, found: blazeface.BlazeDetection
) -> dlib.full_object_detection | None:
    """dlib's landmarks on ``rect`` if its eyes (mean of each eye's two corners) and BlazeFace's
    agree, matched left to right; else None."""
    shape = landmark_predictor()(rgb, rect)
    parts = np.array([(p.x, p.y) for p in shape.parts()], dtype=float)
    dlib_eyes = sorted([parts[0:2].mean(axis=0), parts[2:4].mean(axis=0)], key=lambda e: e[0])
    blaze_eyes = sorted(found.keypoints[:2].astype(float), key=lambda e: e[0])
    worst = max(float(np.linalg.norm(a - b)) for a, b in zip(dlib_eyes, blaze_eyes, strict=True))
    return shape if worst <= EYE_AGREEMENT * max(rect.width(), 1) else None


def _fills(rect: dlib.rectangle, height: int, width: int, min_fill: float) -> bool:
    return min(rect.width(), rect.height()) >= min_fill * min(height, width)


def _overlaps(rect: dlib.rectangle, others: list[dlib.rectangle]) -> bool:
    cx, cy = rect.center().x, rect.center().y
    return any(o.left() <= cx <= o.right() and o.top() <= cy <= o.bottom() for o in others)


def _confirmed_crop(
    rgb: np.ndarray, crop_max_side: int, min_fill: float, grey: bool
) -> dlib.rectangle | None:
    height, width = rgb.shape[:2]
    if max(height, width) > crop_max_side:
        return None
    # Up or down to ~CROP_CONFIRM_SIDE px: a face filling the picture is then well above
    # the detector's smallest size, and the pass costs a few milliseconds.
    scale = CROP_CONFIRM_SIDE / float(min(height, width))
    found = _detect_scaled(rgb, scale, grey)
    if len(found) != 1:
        return None
    rect = found[0]
    if min(rect.width(), rect.height()) < min_fill * min(height, width):
        return None
    return rect


def starts_with_blazeface(
    height: int, width: int, crop_fast_path: bool, crop_max_side: int, crop_detector: str
) -> bool:
    """Whether :func:`detect_faces` begins with BlazeFace on a picture of this size."""
    return crop_fast_path and crop_detector == "blazeface" and max(height, width) <= crop_max_side


def detect_faces(
    rgb: np.ndarray,
    min_face_size: int,
    crop_fast_path: bool = True,
    crop_max_side: int = 320,
    crop_min_fill: float = 0.4,
    grey: bool = False,
    crop_detector: str = "blazeface",
    photo_max_side: int = 0,
    blazed: list[blazeface.BlazeDetection] | None = None,
) -> list[Detection]:
    """Faces of one picture; ``crop_detector`` is ``blazeface`` or ``hog`` (the old fast path).

    A picture larger than ``photo_max_side`` (0: no limit) is searched on a copy reduced to
    that side, for faces of ``min_face_size`` px in the copy (face_recognition's CLI caps at
    1,600 px); boxes come back in original pixels. ``blazed``: BlazeFace's result on ``rgb``
    when the caller already has it (the engine runs it over a whole batch in a row).
    """
    height, width = rgb.shape[:2]
    small = crop_fast_path and max(height, width) <= crop_max_side
    extra: list[dlib.rectangle] = []
    shapes: list[dlib.full_object_detection] = []
    if small and crop_detector == "blazeface":
        extra = []  # best first; a weaker box centred inside a kept one is the same face
        for found in blazeface.detect(rgb) if blazed is None else blazed:
            rect = _blaze_rect(found)
            if _overlaps(rect, extra):
                continue
            shape = _agreeing_shape(rgb, rect, found)
            if shape is not None:
                extra.append(rect)
                shapes.append(shape)
        if (
            len(extra) == 1
            and _fills(extra[0], height, width, crop_min_fill)
            and min(extra[0].width(), extra[0].height()) >= CROP_MIN_FACE
        ):
            return [Detection(extra[0], fast_path=True, shape=shapes[0])]
    elif small:
        rect = _confirmed_crop(rgb, crop_max_side, crop_min_fill, grey)
        if rect is not None and min(rect.width(), rect.height()) >= min_face_size:
            return [Detection(rect, fast_path=True)]
    cap = min(1.0, photo_max_side / max(height, width)) if photo_max_side else 1.0
    smallest = min_face_size / cap  # in original pixels
    rects = [
        r
        for r in _detect_scaled(rgb, cap * working_scale(min_face_size), grey)
        if min(r.width(), r.height()) >= smallest
    ]
    found = [Detection(r, fast_path=False) for r in rects]
    for rect, shape in zip(extra, shapes, strict=True):
        if min(rect.width(), rect.height()) >= min_face_size and not _overlaps(rect, rects):
            found.append(Detection(rect, fast_path=False, shape=shape))
    if not found and small and crop_detector == "blazeface":
        return _second_try(rgb, extra, shapes)
    return found


def _second_try(
    rgb: np.ndarray, agreed: list[dlib.rectangle], shapes: list[dlib.full_object_detection]
) -> list[Detection]:
    """A stored crop in which no face was found: the faces both models agreed on down to
    ``CROP_MIN_FACE``, else the first face found with agreeing eyes in the mirrored, then the
    enlarged, picture (its box mapped back; landmarks placed again on the picture itself)."""
    kept = [
        Detection(rect, fast_path=False, shape=shape)
        for rect, shape in zip(agreed, shapes, strict=True)
        if min(rect.width(), rect.height()) >= CROP_MIN_FACE
    ]
    if kept:
        return kept
    height, width = rgb.shape[:2]
    mirrored = np.ascontiguousarray(rgb[:, ::-1])
    enlarged = cv2.resize(rgb, (2 * width, 2 * height), interpolation=cv2.INTER_CUBIC)
    views = (
        (
            mirrored,
            lambda r: dlib.rectangle(
                width - 1 - r.right(), r.top(), width - 1 - r.left(), r.bottom()
            ),
        ),
        (
            enlarged,
            lambda r: dlib.rectangle(r.left() // 2, r.top() // 2, r.right() // 2, r.bottom() // 2),
        ),
    )
    for view, back in views:
        for found in blazeface.detect(view):
            rect = _blaze_rect(found)
            if _agreeing_shape(view, rect, found) is None:
                continue
            original = back(rect)
            if min(original.width(), original.height()) >= CROP_MIN_FACE:
                return [Detection(original, fast_path=False)]
    return []

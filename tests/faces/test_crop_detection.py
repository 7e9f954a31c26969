"""Stored face crops are faces: tight crops are found, decoys are not, misses are never silent."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.conftest import snapshot
from tests.faces.conftest import labelled_photos
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.faces import FaceEngine, blazeface
from venue_audit.faces.detection import _agreeing_shape, _blaze_rect, detect_faces
from venue_audit.faces.models import hog_detector
from venue_audit.scan import ScanOptions, count_faces, scan
from venue_audit.scan.analysis import NO_FACE_MESSAGE


def _jpeg(image: Image.Image, quality: int = 68) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _cut(
    image: Image.Image, rect: object, framing: float, above: float, below: float, size: tuple
) -> Image.Image:
    """A grey crop ``framing`` times the HOG box wide, from ``above`` to ``below`` box widths
    around its centre, resized to ``size``."""
    side = rect.width() * framing  # type: ignore[attr-defined]
    cx, cy = rect.center().x, rect.center().y  # type: ignore[attr-defined]
    crop = image.crop((cx - side / 2, cy - side * above, cx + side / 2, cy + side * below))
    return crop.resize(size, Image.Resampling.BILINEAR).convert("L")


def _single_face_photos() -> list[tuple[object, Image.Image, object]]:
    """(photo, picture reduced to 1000 px, HOG box) of every labelled single-face photo."""
    out = []
    for photo in labelled_photos():
        if not photo.identity or photo.faces != 1:
            continue
        image = Image.open(photo.path).convert("RGB")
        image.thumbnail((1000, 1000))
        (rect,) = hog_detector()(np.asarray(image), 1)
        out.append((photo, image, rect))
    return out


def tight_crops() -> list[tuple[str, bytes, bytes]]:
    """(name, original photo, 96-px-wide crop cut at the HOG box) of every single-face photo.

    This is what a capture camera stores: the face and nothing around it, greyscale, JPEG q68.
    Cut inside HOG's own box: no chin, no forehead.
    """
    return [
        (photo.name, photo.path.read_bytes(), _jpeg(_cut(image, rect, 0.8, 0.55, 0.6, (96, 110))))  # type: ignore[attr-defined]
        for photo, image, rect in _single_face_photos()
    ]


@pytest.fixture(scope="module")
def crops() -> list[tuple[str, bytes, bytes]]:
    return tight_crops()


def decoys() -> dict[str, bytes]:
    """Pictures a venue's database holds next to faces: logos, text, an empty lobby."""
    rng = np.random.default_rng(3)
    out = {}
    logo = Image.new("RGB", (96, 96), (30, 90, 160))
    ImageDraw.Draw(logo).ellipse((10, 10, 86, 86), outline=(255, 255, 255), width=5)
    ImageDraw.Draw(logo).text((30, 42), "LOGO", fill=(255, 255, 255))
    out["logo"] = _jpeg(logo)
    text = Image.new("L", (120, 80), 235)
    ImageDraw.Draw(text).text((8, 30), "SALES OFFICE 2F", fill=20)
    out["text"] = _jpeg(text)
    lobby = np.linspace(60, 200, 150 * 110, dtype=np.float64).reshape(110, 150)
    lobby = np.clip(lobby + rng.normal(0, 12, lobby.shape), 0, 255).astype(np.uint8)
    out["empty lobby"] = _jpeg(Image.fromarray(lobby).convert("RGB"))
    out["grey card"] = _jpeg(Image.new("RGB", (80, 100), (128, 128, 128)))
    return out


def test_every_tight_grey_crop_is_one_face_found_by_the_crop_detector(
    engine: FaceEngine, crops: list[tuple[str, bytes, bytes]]
) -> None:
    assert len(crops) >= 12
    for name, _, crop in crops:
        faces = engine.analyze_image(crop).faces
        assert len(faces) == 1, name
        assert faces[0].fast_path, name  # settled by BlazeFace, no HOG pass


def test_a_crop_is_encoded_as_the_same_person_as_its_photo(
    engine: FaceEngine, crops: list[tuple[str, bytes, bytes]]
) -> None:
    for name, photo, crop in crops:
        (from_photo,) = engine.analyze_image(photo).faces
        (from_crop,) = engine.analyze_image(crop).faces
        distance = float(np.linalg.norm(from_photo.embedding - from_crop.embedding))
        assert distance < 0.5, name  # dlib's same-person distances; different persons > 0.6


@pytest.mark.parametrize("name", sorted(decoys()))
def test_decoys_hold_no_face(engine: FaceEngine, name: str) -> None:
    assert engine.analyze_image(decoys()[name]).faces == []


def test_blazeface_boxes_are_in_the_pictures_own_pixels(
    crops: list[tuple[str, bytes, bytes]],
) -> None:
    _, _, crop = crops[0]
    rgb = np.asarray(Image.open(io.BytesIO(crop)).convert("RGB"))
    (found,) = blazeface.detect(rgb)
    height, width = rgb.shape[:2]
    assert found.score >= blazeface.MIN_SCORE
    assert -0.3 * width < found.left < found.right < 1.3 * width
    assert 0.5 * width < found.width < 1.5 * width  # the crop is the face
    eyes = found.keypoints[:2]
    assert (eyes[:, 1] < height / 2).all()  # eyes in the upper half


def _database(path: Path, pictures: list[bytes]) -> None:
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path)
    connection.execute(
        "create table face_capture (id integer primary key, visitor_id text, capture_time text,"
        " face_img blob)"
    )
    connection.executemany(
        "insert into face_capture (visitor_id, capture_time, face_img) values (?, ?, ?)",
        [(f"V{i}", f"2024-03-16 10:{i:02d}:00", data) for i, data in enumerate(pictures)],
    )
    connection.commit()
    connection.close()


def test_a_stored_picture_without_a_face_is_a_located_skipped_entry(
    tmp_path: Path, crops: list[tuple[str, bytes, bytes]]
) -> None:
    faces = [crop for _, _, crop in crops[:4]]
    blank = decoys()["grey card"]
    evidence = tmp_path / "evidence"
    _database(evidence / "server" / "capture.db", [*faces, blank])
    before = snapshot(evidence)
    case = Case.create(tmp_path / "case", CaseInfo("T-CROPS", "venue", ["甲", "乙"]))
    acquire(case, [evidence], workers=1)
    scan(case, ScanOptions(workers=1))
    assert count_faces(case).face_images == len(faces)
    skipped = list(case.db.query("select stage, locator, reason from skipped"))
    assert len(skipped) == 1
    (entry,) = skipped
    assert NO_FACE_MESSAGE in entry["reason"]
    assert "capture.db" in entry["locator"] and "face_capture" in entry["locator"]
    assert "row 5" in entry["locator"] or "rowid 5" in entry["locator"]
    assert snapshot(evidence) == before


def test_a_face_like_logo_is_rejected_because_the_two_models_disagree_on_its_eyes() -> None:
    rgb = np.asarray(Image.open(io.BytesIO(decoys()["logo"])).convert("RGB"))
    (candidate,) = blazeface.detect(rgb, min_score=0.3)  # a ring with text scores close to 0.5
    assert _agreeing_shape(rgb, _blaze_rect(candidate), candidate) is None
    assert detect_faces(rgb, 40) == []


def small_loose_crops() -> list[tuple[str, np.ndarray]]:
    """(name, picture) of every single-face photo cut 2.2x its HOG box and shrunk to 62 px wide,
    grey: the face is ~28 px, under the scene's smallest face (40 px)."""
    crops = []
    for photo, image, rect in _single_face_photos():
        crop = _cut(image, rect, 2.2, 0.6, 0.6, (62, 74))
        decoded = Image.open(io.BytesIO(_jpeg(crop))).convert("RGB")
        crops.append((photo.name, np.asarray(decoded)))  # type: ignore[attr-defined]
    return crops


def test_a_small_loosely_framed_crop_keeps_its_face_below_the_scenes_smallest_size() -> None:
    crops = small_loose_crops()
    missed = [name for name, rgb in crops if len(detect_faces(rgb, 40)) != 1]
    # the first pass alone missed 7 of these 20; one ~26 px face's eyes still disagree
    assert len(crops) == 20 and len(missed) <= 1, missed


def test_the_second_try_finds_nothing_in_mirrored_or_enlarged_decoys() -> None:
    from venue_audit.faces.detection import _second_try

    for name, data in decoys().items():
        rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        assert _second_try(rgb, [], []) == [], name

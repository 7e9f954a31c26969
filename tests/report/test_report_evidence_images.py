"""Sample thumbnails are read back from the evidence read-only, cropped to the face."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from report_samples import FACE_PHOTO, OBAMA_FACE_BOX, face_crop_bytes

from venue_audit.case import Case, CaseInfo
from venue_audit.report.evidence_images import evidence_thumbnail_source


@pytest.fixture()
def case_with_images(tmp_path: Path) -> tuple[Case, Path]:
    evidence = tmp_path / "export"
    evidence.mkdir()
    (evidence / "frame.jpg").write_bytes(FACE_PHOTO.read_bytes())
    with zipfile.ZipFile(evidence / "backup.zip", "w") as archive:
        archive.writestr("faces/a.png", face_crop_bytes())
    with sqlite3.connect(evidence / "faces.db") as db:
        db.execute("create table t_face (id integer primary key, face_img blob)")
        db.execute("insert into t_face (face_img) values (?)", [face_crop_bytes()])
    db.close()
    case = Case.create(
        tmp_path / "case", CaseInfo(case_no="T-3", venue="v", examiners=["a", "b"]), command=[]
    )
    case.db["sources"].insert({"id": 1, "root": str(evidence), "label": "x", "added_at": ""})
    for number, name in enumerate(("frame.jpg", "backup.zip", "faces.db"), 1):
        case.db["evidence"].insert(
            {
                "id": number,
                "source_id": 1,
                "path": name,
                "name": name,
                "entry": "file",
                "size": (evidence / name).stat().st_size,
                "version": 1,
                "current": 1,
            }
        )
    artifacts = [
        (1, "raw_frame", "export/frame.jpg", 0),
        (2, "face_crop", "export/backup.zip!/faces/a.png", 0),
        (3, "face_crop", "export/faces.db, table t_face, rowid 1, column face_img", 0),
        (
            3,
            "face_crop",
            "export/faces.db, table t_face, recovered deleted row (page 3), column face_img",
            1,
        ),
        (2, "face_crop", "export/backup.zip!/../../etc/passwd", 0),
    ]
    case.db["artifacts"].insert_all(
        [
            {"id": i, "evidence_id": e, "kind": k, "locator": loc, "deleted": d, "record_key": loc}
            for i, (e, k, loc, d) in enumerate(artifacts, 1)
        ]
    )
    case.db["faces"].insert({"artifact_id": 1, "bbox": json.dumps(list(OBAMA_FACE_BOX))})
    case.log("test.fixture")  # rows written by hand: the custody log records the case's state
    return case, evidence


def _artifact(case: Case, artifact_id: int) -> dict:
    return next(iter(case.db.query("select * from artifacts where id = ?", [artifact_id])))


def test_file_zip_member_and_sqlite_cell_are_read_back(case_with_images: tuple[Case, Path]) -> None:
    case, _evidence = case_with_images
    source = evidence_thumbnail_source(case)
    for artifact_id in (1, 2, 3):
        image = Image.open(io.BytesIO(source(_artifact(case, artifact_id)) or b""))
        assert max(image.size) <= 320
    frame = Image.open(io.BytesIO(source(_artifact(case, 1)) or b""))
    top, right, bottom, left = OBAMA_FACE_BOX
    assert frame.width < Image.open(FACE_PHOTO).width / 2, "the frame should be cropped to the face"
    assert abs(frame.width / frame.height - (right - left) / (bottom - top)) < 0.3


def test_recovered_rows_and_escaping_members_give_no_thumbnail(
    case_with_images: tuple[Case, Path],
) -> None:
    case, _evidence = case_with_images
    source = evidence_thumbnail_source(case)
    assert source(_artifact(case, 4)) is None
    assert source(_artifact(case, 5)) is None


def test_reading_thumbnails_leaves_the_evidence_untouched(
    case_with_images: tuple[Case, Path],
) -> None:
    case, evidence = case_with_images
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in evidence.iterdir()}
    source = evidence_thumbnail_source(case)
    for artifact_id in range(1, 6):
        source(_artifact(case, artifact_id))
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in evidence.iterdir()}
    assert after == before


def test_reading_thumbnails_leaves_access_times_unchanged(
    case_with_images: tuple[Case, Path],
) -> None:
    case, evidence = case_with_images
    old = 1_500_000_000  # 2017: any read not made with O_NOATIME would move it forward
    for path in evidence.iterdir():
        os.utime(path, (old, path.stat().st_mtime))
    before = {p.name: p.stat().st_atime_ns for p in evidence.iterdir()}
    source = evidence_thumbnail_source(case)
    assert all(source(_artifact(case, artifact_id)) for artifact_id in (1, 2, 3))
    assert {p.name: p.stat().st_atime_ns for p in evidence.iterdir()} == before


def test_writing_the_report_leaves_access_times_unchanged(
    case_with_images: tuple[Case, Path], tmp_path: Path
) -> None:
    from venue_audit.report import report_case

    case, evidence = case_with_images
    for path in evidence.iterdir():
        os.utime(path, (1_500_000_000, path.stat().st_mtime))
    before = {p.name: (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in evidence.iterdir()}
    report_case(case, tmp_path / "report" / "report.pdf", as_of="2024-06-30", rehash=True)
    after = {p.name: (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in evidence.iterdir()}
    assert after == before


def test_a_large_database_is_read_from_a_private_copy_not_into_memory(
    case_with_images: tuple[Case, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the in-memory size the cell comes from a copy on disk, made through the opener;
    the evidence's access time stays and no copy is left behind in the temporary folder."""
    import tempfile

    from venue_audit.report import evidence_images

    case, evidence = case_with_images
    scratch = Path(tempfile.mkdtemp(prefix="thumbnail-scratch-"))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(evidence_images, "IN_MEMORY_DATABASE_BYTES", 1024)
    assert (evidence / "faces.db").stat().st_size > 1024
    os.utime(evidence / "faces.db", (1_500_000_000, (evidence / "faces.db").stat().st_mtime))
    before = (evidence / "faces.db").stat().st_atime_ns
    cell = evidence_thumbnail_source(case)(_artifact(case, 3))
    assert cell is not None and Image.open(io.BytesIO(cell)).size[0] > 0
    assert (evidence / "faces.db").stat().st_atime_ns == before
    assert list(scratch.iterdir()) == []
    scratch.rmdir()


@pytest.mark.parametrize("side", [320, 96])
def test_a_face_of_a_large_photo_decoded_at_reduced_scale_is_still_the_boxed_region(
    side: int,
) -> None:
    from venue_audit.report.evidence_images import _face_image

    photo = Image.new("RGB", (2400, 1600), (20, 120, 20))
    photo.paste((200, 30, 30), (1500, 300, 1900, 700))  # the "face": a red square
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=92)
    face = _face_image(out.getvalue(), [300, 1900, 700, 1500], side)
    assert max(face.size) == side  # the box with its margin, shown at `side` pixels
    assert abs(face.width - face.height) <= 2  # the whole square region, not clipped
    red, green, _ = face.getpixel((face.width // 2, face.height // 2))
    assert red > 150 and green < 80  # the centre is the face, not the background
    corner = face.getpixel((1, 1))
    assert corner[1] > 90 and corner[0] < 60  # the margin around it is the background

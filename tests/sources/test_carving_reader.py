"""Pictures and templates hidden in an unknown binary file are carved and counted as deleted."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np

from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan

SERVER_DB = (
    Path(__file__).resolve().parents[2] / "sample_data" / "export" / "server" / "face_capture.db"
)


def test_a_disk_image_gives_up_its_face_crops_and_templates_as_deleted_records(
    tmp_path: Path,
) -> None:
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        rows = db.execute(
            "select face_img, feature from t_face_capture order by id limit 3"
        ).fetchall()
    rng = np.random.default_rng(5)
    blob = bytearray(rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    for jpeg, feature in rows:
        blob += os.urandom(777) + jpeg + b"\x00" * 300 + feature + os.urandom(1234)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "disk.img").write_bytes(bytes(blob))
    case = Case.create(tmp_path / "case", CaseInfo("C-1", "venue", ["a", "b"]))
    acquire(case, [evidence], workers=1)
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    assert counts.records == 0
    assert counts.deleted_recoverable == 6
    kinds = sorted(r["kind"] for r in case.db.query("select kind from artifacts where deleted = 1"))
    assert kinds == ["face_crop"] * 3 + ["template"] * 3

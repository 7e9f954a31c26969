"""verify-deletion says "clean" only when no baseline face data is left, in any form, anywhere."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.pdf_reading import pdf_text
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.cli import app
from venue_audit.identify import identify
from venue_audit.scan import ScanOptions, scan

SERVER_DB = (
    Path(__file__).resolve().parents[1] / "sample_data" / "export" / "server" / "face_capture.db"
)


def _crops() -> dict[str, bytes]:
    """Face pictures of three visitors, taken (read-only) from the sample server database."""
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        rows = db.execute("select visitor_id, face_img from t_face_capture order by id").fetchall()
    crops: dict[str, bytes] = {}
    for visitor, jpeg in rows:
        crops.setdefault(visitor, jpeg)
    return dict(list(crops.items())[:3])


def _reencoded(jpeg: bytes) -> bytes:
    image = Image.open(io.BytesIO(jpeg))
    image = image.resize((image.width * 9 // 10, image.height * 9 // 10))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("deletion")
    crops = _crops()
    folder = root / "before" / "faces"
    folder.mkdir(parents=True)
    for visitor, jpeg in crops.items():
        (folder / f"{visitor}.jpg").write_bytes(jpeg)
    case = Case.create(root / "case", CaseInfo("DEL-1", "venue", ["a", "b"]))
    acquire(case, [root / "before"], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    case.close()
    return root, crops


def _verify(root: Path, after: Path) -> tuple[int, dict]:
    import json

    result = CliRunner().invoke(
        app, ["verify-deletion", str(root / "case"), str(after), "--json", "--workers", "1"]
    )
    return result.exit_code, json.loads(result.output)


def test_a_clean_deletion_is_declared_clean(baseline, tmp_path: Path) -> None:
    root, _ = baseline
    after = tmp_path / "after"
    (after / "faces").mkdir(parents=True)
    (after / "faces" / "readme.txt").write_text("all face images deleted on order")
    code, report = _verify(root, after)
    assert (code, report["clean"], report["verdict"]) == (0, True, "no residual face data found")
    assert report["totals"] == {"gone": 3}


def test_the_verification_goes_into_the_report_pdf(baseline, tmp_path: Path) -> None:

    root, crops = baseline
    after = tmp_path / "after"
    after.mkdir()
    (after / "kept.jpg").write_bytes(next(iter(crops.values())))
    pdf = tmp_path / "report" / "verification.pdf"
    result = CliRunner().invoke(
        app,
        [
            "verify-deletion",
            str(root / "case"),
            str(after),
            "--out",
            str(pdf),
            "--workers",
            "1",
            "--quiet",
        ],
    )
    assert result.exit_code == 1, result.output
    text = pdf_text(pdf)
    assert "删除" in text
    assert "kept.jpg" in text or "faces" in text


def test_pictures_deleted_from_the_folder_but_kept_in_a_backup_zip_are_residual(
    baseline, tmp_path: Path
) -> None:
    root, crops = baseline
    after = tmp_path / "after"
    after.mkdir()
    visitor, jpeg = next(iter(crops.items()))
    with zipfile.ZipFile(after / "cloud-backup.zip", "w") as archive:
        archive.writestr(f"faces/{visitor}.jpg", jpeg)
    code, report = _verify(root, after)
    assert code == 1 and not report["clean"]
    assert report["totals"]["remaining_live"] == 1 and report["totals"]["gone"] == 2
    assert report["residual"][0]["how"] == "exact"
    assert "cloud-backup.zip!/" in report["residual"][0]["found_at"]


def test_re_encoded_pictures_are_caught_although_their_hash_changed(
    baseline, tmp_path: Path
) -> None:
    root, crops = baseline
    after = tmp_path / "after"
    after.mkdir()
    for visitor, jpeg in crops.items():
        (after / f"{visitor}-small.jpg").write_bytes(_reencoded(jpeg))
    code, report = _verify(root, after)
    assert code == 1
    assert report["totals"].get("remaining_live") == 3
    assert {r["how"] for r in report["residual"]} <= {
        "perceptual (PDQ)",
        "perceptual (pHash)",
        "same face",
    }
    assert all(r["how"] != "exact" for r in report["residual"])


@pytest.fixture(scope="module")
def database_baseline(tmp_path_factory: pytest.TempPathFactory):
    """A capture database with every row live, scanned as the baseline; rows are real face crops."""
    from venue_audit.recovery.fixtures import build_scenario, make_face_rows

    root = tmp_path_factory.mktemp("db-deletion")
    rows = make_face_rows(n=10, seed=3)
    before = root / "before"
    before.mkdir()
    (before / "face.db").write_bytes(build_scenario("plain", rows, []).db)
    case = Case.create(root / "case", CaseInfo("DEL-DB", "venue", ["a", "b"]))
    acquire(case, [before], workers=1)
    scan(case, ScanOptions(workers=1))
    case.close()
    return root, rows


def _after(tmp_path: Path, variant: str, rows) -> tuple[Path, int]:
    from venue_audit.recovery.fixtures import build_scenario, surviving_deleted_ids

    scenario = build_scenario(variant, rows, [r.id for r in rows])
    after = tmp_path / "after"
    after.mkdir()
    (after / "face.db").write_bytes(scenario.db)
    if scenario.wal:
        (after / "face.db-wal").write_bytes(scenario.wal)
    return after, len(surviving_deleted_ids(scenario))


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["plain", "wal_uncheckpointed", "vacuum"])
def test_a_database_deletion_is_clean_only_when_nothing_is_recoverable(
    database_baseline, tmp_path: Path, variant: str
) -> None:
    root, rows = database_baseline
    after, surviving = _after(tmp_path, variant, rows)
    code, report = _verify(root, after)
    if variant == "vacuum":
        assert surviving == 0
        assert (code, report["clean"]) == (0, True)
        return
    assert surviving > 0 and code == 1 and not report["clean"]
    recovered_rows = {r["baseline"].split(", column")[0] for r in report["residual"]}
    assert len(recovered_rows) == surviving
    assert {r["state"] for r in report["residual"]} == {"recoverable"}
    assert report["totals"].get("remaining_live", 0) == 0

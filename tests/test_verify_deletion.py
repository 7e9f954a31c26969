"""verify-deletion says "clean" only when no baseline face data is left, in any form, anywhere."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.conftest import TEST_FACES
from tests.pdf_reading import pdf_text
from venue_audit.acquire import acquire
from venue_audit.assess import assess_case
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
    assess_case(case, None, None, [], "2024-06-30")
    case.close()
    return root, crops


def _verify(root: Path, *after: Path | str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        app,
        ["verify-deletion", str(root / "case"), *map(str, after), "--json", "--workers", "1"],
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_a_clean_deletion_is_declared_clean(baseline, tmp_path: Path) -> None:
    root, _ = baseline
    after = tmp_path / "after"
    (after / "faces").mkdir(parents=True)
    (after / "faces" / "readme.txt").write_text("all face images deleted on order")
    code, report = _verify(root, after)
    assert (code, report["clean"], report["verdict"]) == (0, True, "no residual face data found")
    assert report["unit"] == "records"
    assert report["totals"] == {
        "records": 3,
        "gone": 3,
        "recoverable": 0,
        "remaining_live": 0,
        "not_checked": 0,
    }
    written = json.loads((Path(report["after_case"]) / "verification.json").read_text("utf-8"))
    assert written == report


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


def test_a_row_with_crop_and_template_is_one_record_in_every_count(
    database_baseline, tmp_path: Path
) -> None:
    root, rows = database_baseline
    after = tmp_path / "after"
    after.mkdir()
    (after / "face.db").write_bytes((root / "before" / "face.db").read_bytes())  # nothing deleted
    code, report = _verify(root, after)
    assert code == 1
    assert report["totals"]["records"] == report["totals"]["remaining_live"] == len(rows)
    assert [s["records"] for s in report["by_store"].values()] == [len(rows)]
    assert len(report["residual"]) == len(rows)
    assert all(", column" not in r["baseline"] for r in report["residual"])


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A camera folder and a server folder acquired as two sources; one person in both."""
    root = tmp_path_factory.mktemp("two-sources")
    (root / "camera").mkdir()
    (root / "server").mkdir()
    (root / "camera" / "CH01_20240315101523.jpg").write_bytes(
        (TEST_FACES / "obama" / "1.jpg").read_bytes()
    )
    (root / "server" / "face-0001.jpg").write_bytes((TEST_FACES / "obama" / "2.jpg").read_bytes())
    case = Case.create(root / "case", CaseInfo("DEL-2", "venue", ["a", "b"]))
    acquire(case, [root / "camera", root / "server"], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    case.close()
    return root


def test_a_store_without_a_replica_is_not_checked_rather_than_inferred_from_another(
    two_sources: Path, tmp_path: Path
) -> None:
    after = tmp_path / "server"  # only the server was re-examined; it still holds its picture
    after.mkdir()
    (after / "face-0001.jpg").write_bytes((TEST_FACES / "obama" / "2.jpg").read_bytes())
    code, report = _verify(two_sources, after)
    assert code == 1 and report["status"] == "residual"
    camera, server = (report["by_store"][name] for name in ("camera", "server"))
    assert camera == {
        "records": 1,
        "gone": 0,
        "recoverable": 0,
        "remaining_live": 0,
        "not_checked": 1,
    }
    assert server["remaining_live"] == 1
    assert [r["store"] for r in report["residual"]] == ["server"]
    assert report["not_checked"] == [
        {"store": "camera", "source": str(two_sources / "camera"), "records": 1}
    ]
    # the same person's other capture is still there: said per person, not about the camera file
    assert [p["found_at"] for p in report["persons_still_present"]] == [["server/face-0001.jpg"]]


def test_a_replica_named_on_the_command_line_checks_its_store(
    two_sources: Path, tmp_path: Path
) -> None:
    server, camera = tmp_path / "server", tmp_path / "cam-after"
    server.mkdir()
    camera.mkdir()
    code, report = _verify(two_sources, server, camera, "--replica", f"camera={camera}")
    assert (code, report["status"]) == (0, "clean")
    assert report["totals"]["gone"] == report["totals"]["records"] == 2


def test_without_the_replica_the_verdict_is_incomplete_and_says_how_to_name_it(
    two_sources: Path, tmp_path: Path
) -> None:
    server, camera = tmp_path / "server", tmp_path / "cam-after"
    server.mkdir()
    camera.mkdir()
    (camera / "x").mkdir()
    result = CliRunner().invoke(
        app,
        ["verify-deletion", str(two_sources / "case"), str(server), "--workers", "1"],
    )
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "not verified: some baseline records were not checked" in text
    assert "--replica camera=AFTER_SOURCE" in text


def test_a_replica_of_a_source_the_case_does_not_have_is_refused_before_any_work(
    two_sources: Path, tmp_path: Path
) -> None:
    after = tmp_path / "after"
    after.mkdir()
    before = sorted(p.name for p in (two_sources / "case").iterdir())
    result = CliRunner().invoke(
        app,
        ["verify-deletion", str(two_sources / "case"), str(after), "--replica", f"nvr={after}"],
    )
    assert result.exit_code == 2
    assert "nvr is not one of the case's sources" in result.stderr
    assert sorted(p.name for p in (two_sources / "case").iterdir()) == before


def test_long_residue_lists_end_with_how_many_more_and_where(tmp_path: Path) -> None:
    from venue_audit.cli.app import console
    from venue_audit.cli.deletion import SHOWN_RESIDUES, _print_verdict
    from venue_audit.verify import DeletionVerdict, Residue, StoreResult

    verdict = DeletionVerdict(tmp_path / "after-001", ["/after"], {"/before": "/after"})
    store = verdict.stores["before/server"] = StoreResult("before/server", "/before", "/after")
    for row in range(SHOWN_RESIDUES + 7):
        verdict.residue.append(
            Residue(
                f"face.db, rowid {row}",
                "before/server",
                "remaining_live",
                "exact",
                f"after/face.db, rowid {row}",
                "after/face.db",
                0.0,
                1,
            )
        )
        store.states["remaining_live"] += 1
    with console.capture() as captured:
        _print_verdict(verdict, quiet=False)
    text = captured.get()
    assert text.count("remaining live face.db, rowid") == SHOWN_RESIDUES
    assert f"… 7 more residual records, all in {tmp_path}/after-001/verification.json" in text

"""Scanning the sample venue finds exactly the face data it was built with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import snapshot
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
TRUTH = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


def _acquired_case(tmp_path: Path, name: str = "case") -> Case:
    case = Case.create(tmp_path / name, CaseInfo("T-SCAN", "示例售楼处", ["甲", "乙"]))
    acquire(case, [SAMPLE / "export"], workers=1)
    return case


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Case:
    case = _acquired_case(tmp_path_factory.mktemp("scan"))
    scan(case, ScanOptions(workers=1))
    return case


def test_live_counts_equal_the_sample_truth(scanned: Case) -> None:
    counts = count_faces(scanned).as_summary()
    assert counts == TRUTH["faces"]


def test_the_cloud_backup_copies_are_linked_to_the_server_rows_not_counted(scanned: Case) -> None:
    counts = count_faces(scanned)
    assert counts.exact_duplicates == TRUTH["faces"]["exact_duplicates"]
    assert all("backup_20240316.zip!/" in key for key in counts.duplicate_records)


def test_server_templates_are_recognised_as_dlib_space_by_re_encoding_the_crops(
    scanned: Case,
) -> None:
    guesses = {
        row["model_guess"]
        for row in scanned.db.query(
            "select model_guess from artifacts where kind = 'template' and deleted = 0"
        )
    }
    assert len(guesses) == 1 and guesses.pop().startswith("dlib-resnet-v1-128 (confirmed")


def test_person_keys_and_capture_times_are_read_from_the_store(scanned: Case) -> None:
    rows = list(
        scanned.db.query(
            "select person_key, captured_at, captured_at_source from artifacts where locator like '%t_face_capture%'"
        )
    )
    assert {r["person_key"] for r in rows} <= set(TRUTH["visitor_ids"].values())
    assert all(
        r["captured_at"].endswith("+08:00") and r["captured_at_source"] == "column:capture_time"
        for r in rows
    )
    nvr = list(
        scanned.db.query(
            "select captured_at, captured_at_source from artifacts where locator like '%nvr/CH02%'"
        )
    )
    assert nvr == [{"captured_at": "2024-04-11T15:02:33+08:00", "captured_at_source": "file_name"}]


def test_decoys_are_not_counted(scanned: Case) -> None:
    locators = [row["locator"] for row in scanned.db.query("select locator from artifacts")]
    assert not any(
        "logo" in locator or "093500" in locator or "t_device" in locator for locator in locators
    )


def test_the_case_database_holds_no_face_pictures(scanned: Case) -> None:
    for table in ("artifacts", "faces", "stores"):
        for row in scanned.db.query(f"select * from {table}"):
            for value in row.values():
                assert not (isinstance(value, bytes) and value[:3] == b"\xff\xd8\xff"), table


def test_scanning_never_changes_the_evidence(tmp_path: Path) -> None:
    before = snapshot(SAMPLE)
    case = _acquired_case(tmp_path)
    scan(case, ScanOptions(workers=1))
    assert snapshot(SAMPLE) == before


class _Interrupt(Exception):
    pass


def test_an_interrupted_scan_resumes_without_counting_twice(tmp_path: Path) -> None:
    case = _acquired_case(tmp_path)
    seen = []

    def stop_after_three(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 3:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        scan(case, ScanOptions(workers=1, batch_images=1), progress=stop_after_three)
    partial = count_faces(case).as_summary()
    scan(case, ScanOptions(workers=1, batch_images=1))
    resumed = count_faces(case).as_summary()
    assert partial["records"] < resumed["records"]
    assert resumed == TRUTH["faces"]
    assert case.verify_custody() == []
    actions = [e["action"] for e in case.custody_events()]
    assert actions.count("scan.start") == 2 and actions.count("scan.end") == 1

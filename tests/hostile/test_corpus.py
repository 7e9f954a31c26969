"""Every hostile input goes through acquire and scan without harm, and leaves a located message.

One case per test, each in its own case folder: the scan returns; the evidence
keeps its bytes and times; nothing is executed or written outside the case
folder; nothing hostile is counted as face data; the item is recorded where an
examiner will find it (the ``skipped`` table, or the manifest's error column
for entries that are never opened, like FIFOs and symlinks); and the custody
chain and the evidence manifest still verify.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.hostile.corpus import CASES, Canary, Expect, build_all
from venue_audit.acquire import acquire, verify_manifest
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, scan
from venue_audit.summary import build_summary

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def blank_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh case folder to copy: creating one costs half a second of fsyncs."""
    folder = tmp_path_factory.mktemp("blank") / "case"
    Case.create(folder, CaseInfo("T-HOSTILE", "Hostile venue", ["甲", "乙"])).close()
    return folder


def located_messages(case: Case) -> list[tuple[str, str]]:
    """(locator, reason) of every skipped item and every manifest entry acquired with an error."""
    skipped = [(r["locator"], r["reason"]) for r in case.db.query("select * from skipped")]
    manifest = [
        (r["path"], r["error"])
        for r in case.db.query("select path, error from evidence where error is not null")
    ]
    return skipped + manifest


def has_message(messages: list[tuple[str, str]], expect: Expect) -> bool:
    return any(
        expect.locator in locator and any(word in reason.lower() for word in expect.reason)
        for locator, reason in messages
    )


def _scan_case(
    name: str, tmp_path: Path, blank_case: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Case, Expect, Canary]:
    """Acquire and scan one case, with the process's temporary folder pointed at ``scratch``."""
    evidence, canary = tmp_path / "evidence", Canary(tmp_path / "canary")
    expect = build_all(evidence, canary, [name])[name]
    shutil.copytree(blank_case, tmp_path / "case")
    case = Case(tmp_path / "case")
    acquire(case, [evidence], workers=1)
    before = snapshot(evidence)
    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    scan(case, ScanOptions(workers=1))
    monkeypatch.undo()
    assert snapshot(evidence) == before, "the scan changed the evidence"
    assert list((tmp_path / "scratch").iterdir()) == [], "temporary copies were left behind"
    return case, expect, canary


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_recorded_and_harms_nothing(
    name: str, tmp_path: Path, blank_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, expect, canary = _scan_case(name, tmp_path, blank_case, monkeypatch)

    planted = {"face.db-wal"}  # a WAL outside the evidence, only ever reached through a symlink
    assert {p.name for p in canary.folder.iterdir()} <= planted, "a payload ran or a file escaped"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["canary", "case", "evidence", "scratch"]
    assert not Path("C:").exists() and not Path("escape.txt").exists()
    assert case.db.execute("select count(*) from artifacts").fetchone()[0] == 0

    messages = located_messages(case)
    if not expect.harmless:
        assert has_message(messages, expect), messages
    if expect.at_acquisition:  # in the manifest's error column and in the skipped list
        manifest_errors = [
            (r["path"], r["error"])
            for r in case.db.query("select path, error from evidence where error is not null")
        ]
        assert has_message(manifest_errors, expect)
        if "!/" not in expect.locator:
            skipped = [(r["locator"], r["reason"]) for r in case.db.query("select * from skipped")]
            assert has_message(skipped, expect), skipped
    assert all(locator and reason for locator, reason in messages)
    assert (
        build_summary(case)["skipped"]
        == case.db.execute("select count(*) from skipped").fetchone()[0]
    )

    assert case.verify_custody() == []
    actions = [e["action"] for e in case.custody_events()]
    assert actions[-2:] == ["scan.start", "scan.end"]
    assert verify_manifest(case, workers=1).passed


def test_the_corpus_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_a_database_with_triggers_and_views_is_read_without_firing_them(
    tmp_path: Path, blank_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _, _ = _scan_case("sqlite_trigger_and_view", tmp_path, blank_case, monkeypatch)
    folder = tmp_path / "evidence" / "sqlite_trigger_and_view"
    assert sorted(p.name for p in folder.iterdir()) == ["triggers.db"], "no -wal/-shm/-journal"
    stats = json.loads(next(iter(case.db.query("select stats from scan_state")))["stats"])
    assert stats["table_rows"] == 2  # captures (2 rows); audit was emptied before acquisition


def test_a_skipped_picture_is_described_without_the_engine_batch_position(
    tmp_path: Path, blank_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _, _ = _scan_case("jpeg_corrupt", tmp_path, blank_case, monkeypatch)
    [reason] = [r["reason"] for r in case.db.query("select reason from skipped")]
    assert reason.startswith("image could not be decoded"), reason


def test_entries_acquisition_could_not_read_are_listed_as_skipped_once(
    tmp_path: Path, blank_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _, _ = _scan_case("symlink_loop", tmp_path, blank_case, monkeypatch)
    scan(case, ScanOptions(workers=1))
    rows = list(case.db.query("select stage, locator, reason from skipped order by locator"))
    assert rows == [
        {
            "stage": "acquire",
            "locator": f"evidence/symlink_loop/{name}",
            "reason": "symlink: recorded, not followed",
        }
        for name in ("a.jpg", "b.jpg", "etc")
    ]
    assert build_summary(case)["skipped"] == 3


PICTURES = [
    "jpeg_truncated",
    "jpeg_corrupt",
    "png_bad_crc",
    "png_decompression_bomb",
    "bmp_huge_declared_size",
    "tiff_absurd_ifd_offset",
    "webp_truncated",
    "gif_many_frames",
    "png_one_by_100000",
]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_hostile_pictures_in_worker_processes_are_skipped_as_in_one_process(
    tmp_path: Path, blank_case: Path
) -> None:
    evidence = tmp_path / "evidence"
    build_all(evidence, Canary(tmp_path / "canary"), PICTURES)
    skipped = {}
    for workers in (1, 2):
        case_dir = tmp_path / f"case{workers}"
        shutil.copytree(blank_case, case_dir)
        case = Case(case_dir)
        acquire(case, [evidence], workers=1)
        scan(case, ScanOptions(workers=workers))
        skipped[workers] = sorted(
            (r["locator"], r["reason"]) for r in case.db.query("select * from skipped")
        )
        assert case.db.execute("select count(*) from artifacts").fetchone()[0] == 0
    assert skipped[2] == skipped[1]
    assert len(skipped[1]) == 7  # all but the GIF's 20,000 frames and the 1 x 100,000 ribbon


def test_a_wal_symlinked_from_outside_the_evidence_is_not_read(
    tmp_path: Path, blank_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _, _ = _scan_case("sqlite_wal_symlinked_from_outside", tmp_path, blank_case, monkeypatch)
    stats = [json.loads(r["stats"]) for r in case.db.query("select stats from scan_state")]
    assert sum(s.get("table_rows", 0) for s in stats) == 0, "rows of the outside WAL were read"

"""One writer per case, and a case database that cannot be edited behind the log's back.

The hostile runs: two scans of one case at once both exited 0 and the case held
every artifact twice; deleting an ``artifacts`` row by hand changed the
duplicate count while ``custody --verify`` said intact and ``report`` exited 0;
``report`` on a broken custody chain exited 0 too.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_FACES
from venue_audit.acquire import acquire
from venue_audit.assess import assess_case
from venue_audit.case import Case, CaseInfo
from venue_audit.case.lock import CaseLocked, case_lock
from venue_audit.identify import identify
from venue_audit.scan import ScanOptions, count_faces, scan

REPO = Path(__file__).resolve().parents[2]
FACE = TEST_FACES / "obama" / "7_small.jpg"


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venue_audit.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scanned case: one face picture and its exact copy (1 record, 1 exact duplicate)."""
    base = tmp_path_factory.mktemp("integrity")
    export = base / "export"
    export.mkdir()
    (export / "a.jpg").write_bytes(FACE.read_bytes())
    (export / "copy-of-a.jpg").write_bytes(FACE.read_bytes())
    case = Case.create(base / "case", CaseInfo("T-INTEGRITY", "V", ["甲", "乙"]))
    acquire(case, [export], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    assess_case(case, None, as_of="2024-06-30")
    counts = count_faces(case).as_summary()
    assert (counts["records"], counts["exact_duplicates"]) == (1, 1)
    case.close()
    return base / "case"


@pytest.fixture
def case_copy(scanned: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(scanned, target)
    return target


# -- the lock --------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_a_second_writer_is_refused_with_exit_2_and_a_clear_message(case_copy: Path) -> None:
    with case_lock(case_copy, "scan"):
        done = cli("scan", str(case_copy), "--workers", "1", "--quiet")
        assert done.returncode == 2, done.stderr[-2000:]
        message = one_line(done.stderr)
        assert "is being written by another venue-audit process" in message
        assert "Traceback" not in done.stderr
        for command in (["custody", str(case_copy), "--verify"], ["report", str(case_copy)]):
            assert cli(*command).returncode == 2
    assert cli("custody", str(case_copy), "--verify").returncode == 0


def test_the_lock_is_reentrant_in_one_process_and_free_after_it(case_copy: Path) -> None:
    case = Case(case_copy)
    with case.writing("audit"):
        case.log("test.inner")  # the same process takes it again
    with case_lock(case_copy, "scan"):
        pass
    case.close()


def test_a_lock_held_elsewhere_can_be_waited_for_with_a_timeout(case_copy: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from venue_audit.case.lock import case_lock\n"
            f"with case_lock({str(case_copy)!r}, 'test'):\n"
            "    print('held', flush=True); time.sleep(1.5)",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        held_at = time.monotonic()
        with pytest.raises(CaseLocked, match=r"pid \d+"), case_lock(case_copy, "scan"):
            pass
        with case_lock(case_copy, "scan", timeout=30):
            assert time.monotonic() - held_at > 1.0  # got it only once the holder let go
    finally:
        holder.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_two_scans_started_together_never_count_twice(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    faces = sorted(p for p in TEST_FACES.rglob("*.jp*g") if "multi" not in p.parts)[:6]
    for number, face in enumerate(faces):
        (export / f"{number:02d}.jpg").write_bytes(face.read_bytes())
    case_dir = tmp_path / "case"
    Case.create(case_dir, CaseInfo("T-TWO", "V", ["甲", "乙"])).close()
    assert cli("acquire", str(case_dir), str(export), "--quiet").returncode == 0
    command = [sys.executable, "-m", "venue_audit.cli", "scan", str(case_dir), "-w", "1", "-q"]
    runs = [subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    codes = sorted(run.wait(timeout=500) for run in runs)
    assert codes in ([0, 0], [0, 2])  # the second waits for nothing: refused, or came after
    with sqlite3.connect(case_dir / "case.db") as db:
        artifacts = db.execute("select count(*) from artifacts").fetchone()[0]
        per_locator = db.execute(
            "select max(n) from (select count(*) n from artifacts group by locator)"
        ).fetchone()[0]
    assert artifacts == len(faces) and per_locator == 1
    assert cli("custody", str(case_dir), "--verify").returncode == 0


# -- the integrity check ---------------------------------------------------------------------


def test_every_custody_event_records_the_digest_of_every_table(case_copy: Path) -> None:
    """In a column of its own, covered by the event's hash; the stage's detail stays its own."""
    case = Case(case_copy)
    last = json.loads(case.custody_events()[-1]["case_state"])
    assert last["artifacts"]["rows"] == 2
    assert {"evidence", "artifacts", "faces", "stores", "skipped", "persons"} <= set(last)
    assert case.verify_integrity() == []
    case.close()


@pytest.mark.timeout(300)
def test_a_row_deleted_by_hand_is_caught_by_custody_verify_and_report(case_copy: Path) -> None:
    with sqlite3.connect(case_copy / "case.db") as db:
        db.execute("delete from faces where artifact_id = (select max(id) from artifacts)")
        db.execute("delete from artifacts where id = (select max(id) from artifacts)")
    verified = cli("custody", str(case_copy), "--verify")
    assert verified.returncode == 3
    assert "table artifacts changed after event" in one_line(verified.stdout)
    reported = cli("report", str(case_copy), "--out", str(case_copy.parent / "r" / "r.pdf"))
    assert reported.returncode == 3, reported.stderr[-2000:]
    assert "failed its integrity check" in one_line(reported.stderr)
    assert not (case_copy.parent / "r").exists()


@pytest.mark.timeout(300)
def test_report_on_a_broken_custody_chain_exits_3(case_copy: Path) -> None:
    with sqlite3.connect(case_copy / "case.db") as db:
        db.execute("update custody set actor = 'someone else' where seq = 2")
    reported = cli("report", str(case_copy), "--out", str(case_copy.parent / "r" / "r.pdf"))
    assert reported.returncode == 3
    assert "event 2" in one_line(reported.stderr)
    assert not (case_copy.parent / "r").exists()


def test_an_interrupted_stage_is_named_in_the_problem(case_copy: Path) -> None:
    """Rows written after the newest event (a killed scan) fail the check until it is rerun."""
    case = Case(case_copy)
    case.db["skipped"].insert({"stage": "scan", "locator": "x", "reason": "written, never logged"})
    [problem] = case.verify_integrity()
    assert "table skipped changed" in problem.problem and "interrupted" in problem.problem
    case.close()


def test_an_event_after_a_write_by_another_connection_records_the_new_state(
    case_copy: Path,
) -> None:
    case = Case(case_copy)
    case.log("test.first")
    with sqlite3.connect(case_copy / "case.db") as other:
        other.execute("insert into skipped (stage, locator, reason) values ('scan', 'x', 'y')")
    case.log("test.second")
    recorded = json.loads(case.custody_events()[-1]["case_state"])["skipped"]
    assert recorded["rows"] == case.db["skipped"].count
    assert case.verify_integrity() == []
    case.close()


def test_rewriting_a_recorded_state_to_match_a_tampered_table_breaks_the_chain(
    case_copy: Path,
) -> None:
    """The digests are covered by the event's hash: a forger must rewrite the whole chain."""
    from venue_audit.case import integrity

    with sqlite3.connect(case_copy / "case.db") as db:
        db.execute("update artifacts set captured_at = '2020-01-01T00:00:00+08:00'")
    case = Case(case_copy)
    assert case.verify_integrity() != []
    forged = json.dumps(integrity.case_state(case.db), sort_keys=True, separators=(",", ":"))
    last = case.custody_events()[-1]["seq"]
    case.db.execute("update custody set case_state = ? where seq = ?", [forged, last])
    case.db.conn.commit()
    problems = [p.problem for p in case.verify_integrity()]
    assert problems == ["content does not match its hash: the event was edited"]
    case.close()

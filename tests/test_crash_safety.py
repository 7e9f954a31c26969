"""A scan killed with SIGKILL at any point resumes to the same result as an uninterrupted one.

The scan runs in a child process over a copy of the sample venue (a zip that
copies database rows, pictures, a SQLite store with templates, a log) plus a few
hostile files that end up in the skipped list. The test watches case.db from
outside and kills the child the moment the scan reaches a chosen state: just
after ``scan.start`` is logged, or after k items are marked done (through the
CLI and through scan() with small batches); another scan kills itself between
an item's inserted rows and its done mark. An item's rows are committed in one
transaction with its done mark, so no kill may leave faces of an unfinished
item. After the rerun, summary.json must equal the
uninterrupted run's key for key, and so must every row the report reads
(artifacts, faces, skipped items, log events, stores): nothing counted twice,
nothing lost. The custody chain must verify and show each interruption as a
``scan.start`` with no ``scan.end`` before the next start.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from tests.conftest import snapshot
from tests.hostile.corpus import Canary, build_all
from venue_audit.acquire import acquire, verify_manifest
from venue_audit.case import Case, CaseInfo, custody
from venue_audit.summary import build_summary

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "export"
REPO = Path(__file__).resolve().parents[1]
HOSTILE = ["jpeg_corrupt", "zip_corrupt_directory", "pickle_os_system", "sqlite_corrupt_page"]

# The CLI analyses pictures in batches of 256, so on a small tree items are
# marked done in few transactions; this driver runs the same scan() with a batch
# of one picture, so items are marked done one by one and there are many
# distinct states to kill it in.
SMALL_BATCHES = (
    "import sys; from pathlib import Path; "
    "from venue_audit.case import Case; from venue_audit.scan import ScanOptions, scan; "
    "scan(Case(Path(sys.argv[1])), ScanOptions(workers=1, batch_images=1), command=sys.argv)"
)

# A scan that kills itself (SIGKILL: no handler, no clean-up runs) inside a write, after
# the rows of the second item with artifacts were inserted and before its done mark.
KILLED_BEFORE_DONE_MARK = """
import os, signal, sys
from pathlib import Path
from venue_audit.case import Case
from venue_audit.scan import ScanOptions, scan
from venue_audit.scan.writer import CaseWriter

done = CaseWriter.done
written = []

def done_or_die(writer, evidence_id, stats):
    rows = writer.case.db.conn.execute(
        "select count(*) from artifacts where evidence_id = ?", [evidence_id]
    ).fetchone()[0]
    if rows:
        written.append(evidence_id)
    if len(written) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    done(writer, evidence_id, stats)

CaseWriter.done = done_or_die
scan(Case(Path(sys.argv[1])), ScanOptions(workers=1), command=sys.argv)
"""

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

Probe = Callable[[sqlite3.Connection], bool]


def cli_scan(case_dir: Path) -> list[str]:
    return [sys.executable, "-m", "venue_audit.cli", "scan", str(case_dir), "--workers", "1"]


def small_batch_scan(case_dir: Path) -> list[str]:
    return [sys.executable, "-c", SMALL_BATCHES, str(case_dir)]


def _count(db: sqlite3.Connection, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def _starts(db: sqlite3.Connection) -> int:
    return _count(db, "select count(*) from custody where action = 'scan.start'")


def just_started(db: sqlite3.Connection) -> bool:
    return True


def items_done(k: int) -> Probe:
    return lambda db: _count(db, "select count(*) from scan_state") >= k


def stores_written(k: int) -> Probe:
    return lambda db: _count(db, "select count(*) from stores") >= k


def unfinished_faces(db: sqlite3.Connection) -> bool:
    """Faces written for an item whose done mark is not committed yet."""
    unfinished = _count(
        db,
        "select count(*) from artifacts where evidence_id not in "
        "(select evidence_id from scan_state where status = 'done')",
    )
    return unfinished > 0


def run_and_kill(command: list[str], case_dir: Path, probe: Probe, limit_s: float = 120) -> None:
    """Start a scan and SIGKILL it as soon as ``probe`` sees the chosen state in case.db.

    The probe is asked only once this run has logged its ``scan.start`` (after it
    purged what an earlier killed run left), so stale rows cannot trigger it.
    """
    with sqlite3.connect(case_dir / "case.db") as db:
        runs_before = _starts(db)
    child = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    db = sqlite3.connect(case_dir / "case.db", timeout=0.05)
    try:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline and child.poll() is None:
            try:
                if _starts(db) > runs_before and probe(db):
                    child.send_signal(signal.SIGKILL)
                    break
            except sqlite3.OperationalError:
                pass  # the writer holds the lock for a moment
            time.sleep(0.002)
        returncode = child.wait(timeout=limit_s)
    finally:
        db.close()
        if child.poll() is None:
            child.kill()
    assert returncode == -signal.SIGKILL, "the scan ended before the chosen state was seen"


def run_to_end(command: list[str]) -> None:
    subprocess.run(
        command,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )


def outcome(case: Case) -> dict[str, Any]:
    """summary.json plus every scan row the report reads, without ids and times."""
    db = case.db
    return {
        "summary": build_summary(case),
        "artifacts": sorted(
            tuple(r.values())
            for r in db.query(
                "select a.locator, a.record_key, a.kind, a.sha256, a.captured_at, a.person_key,"
                " s.locator as store, (select count(*) from faces f where f.artifact_id = a.id)"
                " from artifacts a join stores s on s.id = a.store_id"
            )
        ),
        "skipped": sorted(
            tuple(r.values()) for r in db.query("select stage, locator, reason from skipped")
        ),
        "events": sorted(
            tuple(r.values())
            for r in db.query("select at, action, count, remote, locator from timeline_events")
        ),
        "stores": sorted(
            tuple(r.values()) for r in db.query("select locator, kind, profile from stores")
        ),
    }


@pytest.fixture(scope="module")
def acquired(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An acquired, unscanned case over a private copy of the sample export plus hostile files."""
    base = tmp_path_factory.mktemp("crash")
    evidence = base / "export"
    shutil.copytree(SAMPLE, evidence)
    build_all(evidence / "zz_hostile", Canary(base / "canary"), HOSTILE)
    case = Case.create(base / "case", CaseInfo("T-CRASH", "示例售楼处", ["甲", "乙"]))
    acquire(case, [evidence], workers=1)
    case.close()
    return base / "case", evidence


@pytest.fixture(scope="module")
def reference(acquired: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What an uninterrupted ``venue-audit scan`` leaves in the case."""
    case_dir = tmp_path_factory.mktemp("reference") / "case"
    shutil.copytree(acquired[0], case_dir)
    run_to_end(cli_scan(case_dir))
    result = outcome(Case(case_dir))
    assert result["summary"]["faces"]["records"] > 0 and result["summary"]["skipped"] > 0
    assert result["events"] and result["artifacts"]
    return result


def _fresh_copy(acquired: tuple[Path, Path], tmp_path: Path) -> Path:
    case_dir = tmp_path / "case"
    shutil.copytree(acquired[0], case_dir)
    return case_dir


def scan_actions(case: Case) -> list[str]:
    return [e["action"] for e in case.custody_events() if e["action"].startswith("scan.")]


@pytest.mark.slow
def test_kills_at_several_points_resume_to_the_uninterrupted_result(
    acquired: tuple[Path, Path], reference: dict, tmp_path: Path
) -> None:
    case_dir = _fresh_copy(acquired, tmp_path)
    evidence = acquired[1]
    before = snapshot(evidence)
    probes = [just_started, items_done(2), items_done(5), items_done(7)]
    for probe in probes:
        run_and_kill(small_batch_scan(case_dir), case_dir, probe)
    with Case(case_dir) as case:
        assert not unfinished_faces(case.db.conn), "an item's rows are committed with its done mark, or not at all"
    run_to_end(small_batch_scan(case_dir))

    case = Case(case_dir)
    assert outcome(case) == reference
    assert case.verify_custody() == []
    assert scan_actions(case) == ["scan.start"] * (len(probes) + 1) + ["scan.end"]
    starts = [json.loads(e["detail"]) for e in case.custody_events() if e["action"] == "scan.start"]
    assert starts[-1]["already_done"] >= 7
    assert snapshot(evidence) == before
    assert verify_manifest(case, workers=1).passed


@pytest.mark.slow
def test_a_cli_scan_killed_mid_item_resumes_to_the_uninterrupted_result(
    acquired: tuple[Path, Path], reference: dict, tmp_path: Path
) -> None:
    case_dir = _fresh_copy(acquired, tmp_path)
    # The CLI commits a small tree's items in one transaction: killed while analysing,
    # it leaves none of them done.
    run_and_kill(cli_scan(case_dir), case_dir, just_started)
    with Case(case_dir) as case:
        total = _count(case.db.conn, "select count(*) from evidence where parent_id is null")
        assert _count(case.db.conn, "select count(*) from scan_state") < total
    run_to_end(cli_scan(case_dir))

    case = Case(case_dir)
    assert outcome(case) == reference
    assert case.verify_custody() == []
    assert scan_actions(case) == ["scan.start", "scan.start", "scan.end"]
    for command in (["custody", str(case_dir), "--verify"], ["verify-manifest", str(case_dir)]):
        run_to_end([sys.executable, "-m", "venue_audit.cli", *command])


@pytest.mark.slow
def test_a_scan_killed_between_an_items_rows_and_its_done_mark_leaves_no_half_item(
    acquired: tuple[Path, Path], reference: dict, tmp_path: Path
) -> None:
    case_dir = _fresh_copy(acquired, tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_DONE_MARK, str(case_dir)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL
    with Case(case_dir) as case:
        db = case.db.conn
        assert _count(db, "select count(*) from custody where action = 'scan.start'") == 1
        assert _count(db, "select count(*) from custody where action = 'scan.end'") == 0
        # The rows were inserted in the same transaction as the mark that never came.
        assert not unfinished_faces(db), "rows of an item without its done mark survived"
        assert _count(db, "select count(*) from faces") == _count(
            db,
            "select count(*) from faces f join artifacts a on a.id = f.artifact_id"
            " join scan_state s on s.evidence_id = a.evidence_id",
        )
    run_to_end(cli_scan(case_dir))

    case = Case(case_dir)
    assert outcome(case) == reference
    assert case.verify_custody() == []
    assert scan_actions(case) == ["scan.start", "scan.start", "scan.end"]


class _Killed(BaseException):
    """Stands in for SIGKILL inside this process: nothing after it runs."""


def _die_on_head_write(number: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real = custody._write_head
    calls = []

    def write_head(head_file: Path, text: str) -> None:
        calls.append(text)
        if len(calls) == number:
            raise _Killed
        real(head_file, text)

    monkeypatch.setattr(custody, "_write_head", write_head)


def test_a_process_killed_after_committing_an_event_but_before_moving_the_head_verifies(
    new_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    _die_on_head_write(2, monkeypatch)  # the pending head is written, the event committed
    with pytest.raises(_Killed):
        new_case.log("scan.start", {"items": 3})
    monkeypatch.undo()
    assert [e["action"] for e in new_case.custody_events()] == ["case.new", "scan.start"]
    assert new_case.verify_custody() == []
    new_case.log("scan.start", {"items": 3})
    assert new_case.verify_custody() == []


def test_a_process_killed_before_committing_an_event_verifies_without_it(
    new_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sqlite_utils.db.Table.insert

    def insert_then_die(table: sqlite_utils.db.Table, *args: Any, **kwargs: Any) -> Any:
        if table.name == "custody":
            raise _Killed
        return real(table, *args, **kwargs)

    monkeypatch.setattr(sqlite_utils.db.Table, "insert", insert_then_die)
    with pytest.raises(_Killed):
        new_case.log("scan.start", {"items": 3})
    monkeypatch.undo()
    assert [e["action"] for e in new_case.custody_events()] == ["case.new"]
    assert "pending" in new_case.head_file.read_text()
    assert new_case.verify_custody() == []


def test_the_newest_event_removed_after_a_clean_append_is_still_detected(new_case: Case) -> None:
    new_case.log("scan.start", {})
    new_case.log("scan.end", {})
    with sqlite3.connect(new_case.db_path) as conn:
        conn.execute("delete from custody where seq = 3")
    problems = new_case.verify_custody()
    assert problems and "custody.head" in problems[-1].problem
    assert not new_case.head_file.with_name("custody.head.tmp").exists()

"""The hostile review's command lines, replayed in fresh processes, measured.

Issue 15's failures that were about commands rather than file contents:
outputs written into the evidence (1), ``report`` moving access times (2), two
scans of one case at once (3), an evidence path over 4,096 bytes stopping the
report with a LayoutError (6), a FIFO as consent register hanging (7), a case
database edited by hand or a broken custody chain still reported (8), and the
case acquired as its own evidence (10); verify-deletion reads an after-state
without moving its access times either. One export with four real faces, two of
them under paths longer than a page, goes through every command from
``case new`` to ``report`` and ``custody --verify``; each command is run in its own
interpreter with the resident memory of its whole process tree sampled, and
each must stay under 1 GiB and end within ``STEP_SECONDS``. The evidence's bytes,
mtimes and atimes are checked after the refused commands and again at the end.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TEST_FACES
from tests.hostile.evidence_state import age_atimes, evidence_state
from tests.hostile.measured import Measured, run_cli
from tests.pdf_reading import pdf_text

GIB = 1 << 30
STEP_SECONDS = 600  # one command on a loaded two-core machine; they take seconds alone
EXAMINERS = ("--examiner", "甲", "--examiner", "乙")
DEEP = "/".join(f"{'目录' * 30}{n:02d}" for n in range(21))  # 3,842 bytes: a path still openable
MEMBER = "/".join(f"{'子目录' * 20}{n:02d}" for n in range(40)) + "/member.jpg"  # 7,330 bytes


def build(root: Path) -> dict[str, str]:
    """Four faces, each in a place of its own; returns the locator each must be found under."""
    faces = TEST_FACES
    (root / "day1").mkdir(parents=True)
    (root / "ok.jpg").write_bytes((faces / "obama" / "7_small.jpg").read_bytes())
    (root / "day1" / "b.jpg").write_bytes((faces / "biden" / "2.jpg").read_bytes())
    (root / DEEP).mkdir(parents=True)
    (root / DEEP / "face.jpg").write_bytes((faces / "rose_leslie" / "2.jpg").read_bytes())
    with zipfile.ZipFile(root / "long.zip", "w") as archive:
        archive.writestr(MEMBER, (faces / "kit_harington" / "2.jpeg").read_bytes())
    return {
        "ok.jpg": "export/ok.jpg",
        "b.jpg": "export/day1/b.jpg",
        "deep": f"export/{DEEP}/face.jpg",
        "member": f"export/long.zip!/{MEMBER}",
    }


def step(*args: str, code: int = 0) -> Measured:
    done = run_cli(*args, timeout=STEP_SECONDS)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == code, (args[:2], said[-3000:])
    assert "Traceback" not in done.stderr, (args[:2], done.stderr[-3000:])
    assert done.peak_rss < GIB, (args[:2], done.peak_rss)
    assert done.seconds < STEP_SECONDS, (args[:2], done.seconds)
    print(f"{' '.join(args[:1])}: {done.peak_rss >> 20} MiB, {done.seconds:.0f} s")  # seen with -s
    return done


def said(done: Measured) -> str:
    return " ".join((done.stdout + done.stderr).split())


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_hostile_command_lines_leave_the_evidence_alone_and_count_every_face(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export"
    expected = build(export)
    shutil.copytree(export, tmp_path / "after" / "export")  # the after-state of a deletion
    age_atimes(export)
    before = evidence_state(export)
    case, elsewhere = tmp_path / "case", tmp_path / "other-case"

    # 1. outputs into, onto or as the evidence: refused before any work, nothing written
    for outputs in (
        ("--case", str(elsewhere), "--json-out", str(export / "ok.jpg")),
        ("--case", str(elsewhere), "--report", str(export / "r.pdf")),
        ("--case", str(export / "case")),
    ):
        done = step("audit", str(export), *outputs, *EXAMINERS, "-q", code=2)
        assert "outputs are never written into, onto or around evidence" in said(done)
    assert not elsewhere.exists()
    assert evidence_state(export) == before

    step("case", "new", str(case), "--case-no", "T-15-CLI", "--venue", "V", *EXAMINERS)
    # 10. the case as its own evidence
    done = step("acquire", str(case), str(case), "-q", code=2)
    assert "the case folder" in said(done)
    step("acquire", str(case), str(export), "--workers", "2", "-q")

    # 3. two scans of one case at once: one waits its turn or is refused, nothing counted twice
    scans: list[Measured] = []
    runs = [
        threading.Thread(
            target=lambda: scans.append(
                run_cli("scan", str(case), "--workers", "1", "-q", timeout=STEP_SECONDS)
            )
        )
        for _ in "ab"
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(s.returncode for s in scans) in ([0, 0], [0, 2]), [said(s)[-2000:] for s in scans]
    for scan in scans:
        assert scan.peak_rss < GIB and scan.seconds < STEP_SECONDS, (scan.peak_rss, scan.seconds)
        if scan.returncode == 2:
            assert "is being written by another venue-audit process" in said(scan)

    # 7. a FIFO as consent register: refused at once, nothing recorded
    fifo = tmp_path / "consent.csv"
    os.mkfifo(fifo)
    done = step("consent", str(case), str(fifo), code=2)
    assert "FIFO" in said(done) and done.seconds < 60
    step("consent", str(case), "--as-of", "2024-06-30")

    # 2 and 6. the report: thumbnails read without moving atimes, long paths abbreviated
    report = tmp_path / "report" / "report.pdf"
    step("report", str(case), "--out", str(report))
    step("custody", str(case), "--verify")
    assert evidence_state(export) == before

    with sqlite3.connect(case / "case.db") as db:
        found = [
            row[0]
            for row in db.execute(
                "select a.locator from artifacts a where exists "
                "(select 1 from faces f where f.artifact_id = a.id)"
            )
        ]
    assert sorted(found) == sorted(expected.values())  # each face once, none twice
    summary = json.loads((report.parent / "summary.json").read_text(encoding="utf-8"))
    assert summary["faces"]["records"] == 4 and summary["faces"]["exact_duplicates"] == 0
    text = pdf_text(report, layout=False).replace("\n", "")
    assert "全文见附件 manifest.csv" in text  # abbreviated in the PDF ...
    with (report.parent / "manifest.csv").open(encoding="utf-8-sig") as handle:
        listed = "\n".join(",".join(row) for row in csv.reader(handle))
    assert MEMBER in listed and DEEP in listed  # ... and whole in the annex

    # verification reads the after-state through the same opener: its access times stay too
    after = tmp_path / "after" / "export"  # copied before the export's atimes were aged
    (after / "day1" / "b.jpg").unlink()  # deleted as ordered; the other three remain
    age_atimes(after)
    after_before = evidence_state(after)
    done = step("verify-deletion", str(case), str(after), "--json", "--workers", "1", code=1)
    verdict = json.loads(done.stdout)
    assert (verdict["totals"]["records"], verdict["totals"]["gone"]) == (4, 1), verdict["totals"]
    assert evidence_state(after) == after_before

    # 8. a case database edited by hand, a broken custody chain: exit 3, no report
    edited, broken = tmp_path / "edited", tmp_path / "broken"
    shutil.copytree(case, edited)
    shutil.copytree(case, broken)
    with sqlite3.connect(edited / "case.db") as db:
        db.execute("delete from faces where artifact_id = (select max(id) from artifacts)")
        db.execute("delete from artifacts where id = (select max(id) from artifacts)")
    with sqlite3.connect(broken / "case.db") as db:
        db.execute("update custody set actor = 'someone else' where seq = 2")
    for tampered in (edited, broken):
        step("custody", str(tampered), "--verify", code=3)
        done = step(
            "report", str(tampered), "--out", str(tampered.parent / "r-x" / "r.pdf"), code=3
        )
        assert not (tampered.parent / "r-x").exists(), said(done)

    assert evidence_state(export) == before

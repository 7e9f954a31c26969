"""Progress tells the truth: every stage of an audit is announced, the counted stages give
done / total from their start (acquire in bytes, scan in items) with rate and ETA, and a stage
that cannot count shows its elapsed time without inventing an ETA."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import TEST_FACES
from venue_audit.audit import STAGES, AuditRequest, audit
from venue_audit.case import CaseInfo
from venue_audit.cli import progress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def final_frame(text: str) -> list[str]:
    """The lines of the display as the terminal is left: the last redraw, escapes removed."""
    last = text.split("\r")[-1]
    return [line.rstrip() for line in ANSI.sub("", last).splitlines() if line.strip()]


@pytest.mark.slow
def test_every_stage_of_an_audit_is_announced_and_counted_stages_know_their_total(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for n, person in enumerate(["obama", "biden"]):
        shutil.copy(TEST_FACES / person / "1.jpg", export / f"CH01_2024031510152{n}.jpg")
    announced: list[tuple[str, int, int]] = []
    counted: dict[str, list[tuple[int, int]]] = {}

    def on_stage(name: str, index: int, count: int) -> None:
        announced.append((name, index, count))
        counted[name] = []

    def on_progress(done: int, total: int) -> None:
        counted[announced[-1][0]].append((done, total))

    request = AuditRequest(
        sources=[export],
        case_dir=tmp_path / "case",
        case_info=CaseInfo("P-1", "售楼处", ["张三", "李四"]),
        as_of="2024-06-30",
        report_pdf=tmp_path / "report.pdf",
        workers=1,
    )
    audit(request, on_stage, ["venue-audit", "audit"], on_progress)

    assert announced == [(name, i, len(STAGES)) for i, name in enumerate(STAGES)]
    size = sum(p.stat().st_size for p in export.iterdir())
    assert counted["acquire"] and counted["acquire"][-1] == (size, size)
    assert {total for _, total in counted["acquire"]} == {size}
    assert counted["scan"][-1] == (2, 2)  # two pictures analysed of two known from the start
    assert {total for _, total in counted["scan"]} == {2}
    dones = [done for done, _ in counted["scan"]]
    assert dones == sorted(dones)


def test_the_display_gives_counts_rate_and_eta_and_no_eta_where_nothing_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=160, color_system=None)
    monkeypatch.setattr(progress, "errors", terminal)
    with progress.StageProgress(quiet=False) as shown:
        shown.stage("acquire", 0, 3)
        shown.update(2 * 1024 * 1024, 4 * 1024 * 1024)
        shown.stage("scan", 1, 3)
        shown.update(3, 10)
        assert progress.interruption.done == "scan: 3 of 10 items analysed"
        shown.stage("identify", 2, 3)
    acquire, scan, identify = final_frame(screen.getvalue())
    assert "[1/3] acquire" in acquire and "4.0 MB / 4.0 MB" in acquire and "ETA" in acquire
    assert "[2/3] scan" in scan and "10 / 10 items" in scan and "/s" in scan and "ETA" in scan
    assert "[3/3] identify" in identify and "0:00:00" in identify
    assert "ETA" not in identify and " / " not in identify and "items" not in identify


def test_quiet_shows_nothing_but_keeps_the_count_for_an_interruption(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(progress, "errors", Console(file=screen, force_terminal=True))
    with progress.StageProgress(quiet=True) as shown:
        shown.stage("scan", 1, 5)
        shown.update(7, 9)
    assert screen.getvalue() == ""
    assert progress.interruption.done == "scan: 7 of 9 items analysed"

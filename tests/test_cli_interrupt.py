"""Ctrl-C during a long stage: the command says what was done and how to resume, exits 130,
and the case's custody log records the interruption; running the command again resumes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.conftest import TEST_FACES
from venue_audit.cli import app

runner = CliRunner()


def _custody(case_dir: Path) -> list[tuple[str, dict]]:
    with sqlite3.connect(f"file:{case_dir / 'case.db'}?mode=ro", uri=True) as db:
        rows = db.execute("select action, detail from custody order by seq").fetchall()
    return [(action, json.loads(detail)) for action, detail in rows]


@pytest.mark.slow
def test_ctrl_c_during_a_scan_is_recorded_and_the_scan_resumes(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    # enough distinct pictures that a fast machine is still scanning when Ctrl-C comes:
    # each photo re-encoded at several qualities (different bytes, the same face)
    pictures = []
    for number, photo in enumerate(sorted(TEST_FACES.rglob("*.jpg"))):
        with Image.open(photo) as image:
            rgb = image.convert("RGB")
        for quality in range(60, 100, 4):
            picture = export / f"CH01_20240315{number:03d}{quality:03d}.jpg"
            rgb.save(picture, quality=quality)
            pictures.append(picture)
    case_dir = tmp_path / "case"
    examiners = ["--examiner", "甲", "--examiner", "乙"]
    assert (
        runner.invoke(
            app, ["case", "new", str(case_dir), "--case-no", "I-1", "--venue", "v", *examiners]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["acquire", str(case_dir), str(export), "-q"]).exit_code == 0

    # a terminal's Ctrl-C goes to the whole process group, face workers included
    scan = subprocess.Popen(
        [sys.executable, "-m", "venue_audit.cli", "scan", str(case_dir), "-w", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a shell's background job ignores SIGINT and its children inherit that: not a terminal's
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 300
        while not any(action == "scan.start" for action, _ in _custody(case_dir)):
            assert scan.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(0.5)
        os.killpg(scan.pid, signal.SIGINT)
        _out, err = scan.communicate(timeout=300)
    finally:  # whatever failed above, no scan or face worker outlives the test
        if scan.poll() is None:
            os.killpg(scan.pid, signal.SIGKILL)
            scan.wait()

    assert scan.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("interrupted (scan: ")
    assert f"of {len(pictures)} items analysed" in lines[0]
    assert f"to resume, run again: venue-audit scan {case_dir} -w 1" in lines[0]
    action, detail = _custody(case_dir)[-1]
    assert action == "interrupted" and detail["done"].startswith("scan: ")

    resumed = runner.invoke(app, ["scan", str(case_dir), "-w", "1", "-q", "--json"])
    assert resumed.exit_code == 0, resumed.output
    run = json.loads(resumed.stdout)["run"]
    assert run["already_done"] + run["items"] == len(pictures)

"""An acquisition killed with SIGKILL while hashing is completed by running it again.

Rows are committed as files are hashed, so a killed ``acquire`` keeps its
progress; the custody log shows it as an ``acquire.start`` with no ``acquire``
after it, so every manifest row is covered by a logged event. Running it again
gives the same manifest (same digest) as an uninterrupted acquisition.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.hostile.corpus import noise_bytes
from venue_audit.acquire import manifest_digest, verify_manifest
from venue_audit.case import Case, CaseInfo

REPO = Path(__file__).resolve().parents[2]


def acquire_command(case: Path, evidence: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "venue_audit.cli",
        "acquire",
        str(case),
        str(evidence),
        "--workers",
        "1",
        "--quiet",
    ]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_killed_acquisition_leaves_nothing_and_a_rerun_matches_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    evidence = tmp_path / "export"
    evidence.mkdir()
    for index in range(6):
        (evidence / f"video{index}.bin").write_bytes(noise_bytes((24 << 20) + index))
    reference = Case.create(tmp_path / "reference", CaseInfo("T-ACQ", "V", ["甲", "乙"]))
    subprocess.run(
        acquire_command(reference.directory, evidence),
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    case = Case.create(tmp_path / "case", CaseInfo("T-ACQ", "V", ["甲", "乙"]))

    child = subprocess.Popen(
        acquire_command(case.directory, evidence),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watched = psutil.Process(child.pid)
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if watched.io_counters().read_chars > 60 << 20:  # half-way through the hashing
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    assert child.wait(timeout=60) == -signal.SIGKILL, "the acquisition ended before the kill"

    case = Case(case.directory)
    kept = case.db.execute("select count(*) from evidence").fetchone()[0]
    assert 0 <= kept < 6
    assert [e["action"] for e in case.custody_events()] == ["case.new", "acquire.start"]
    assert case.verify_custody() == []
    subprocess.run(
        acquire_command(case.directory, evidence),
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    case = Case(case.directory)
    assert manifest_digest(case) == manifest_digest(Case(reference.directory))
    actions = [e["action"] for e in case.custody_events()]
    assert actions == ["case.new", "acquire.start", "acquire.start", "acquire"]
    last = json.loads(case.custody_events()[-1]["detail"])
    assert (last["new"], last["unchanged"]) == (6 - kept, kept)
    assert case.verify_custody() == []
    assert verify_manifest(case, workers=1).passed

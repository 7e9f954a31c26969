"""Frames of a video that show faces become capture records, each with its frame index and time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import TEST_FACES
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan


@pytest.mark.slow
def test_video_frames_with_faces_are_records(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    shutil.copy(TEST_FACES / "video" / "short_hamilton_clip.mp4", evidence / "lobby.mp4")
    case = Case.create(tmp_path / "case", CaseInfo("V-1", "venue", ["a", "b"]))
    acquire(case, [evidence], workers=1)
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    assert counts.video_frames_with_faces > 0
    assert counts.records == counts.video_frames_with_faces
    locators = [
        row["locator"]
        for row in case.db.query("select locator from artifacts where kind = 'video_frame'")
    ]
    assert len(locators) == counts.video_frames_with_faces
    assert all("lobby.mp4@frame " in locator and " s)" in locator for locator in locators)

"""Acquisition of the hostile review's odd entries: shared zip members, unlistable folders.

A 560 KB zip with 3,000 central-directory entries naming one stored face took
135 s, 976 MB and made 2,999 "exact duplicates"; a mode-000 folder was
labelled "device". Now the zip is one manifest item with the anomaly on it,
and the folder is a folder that could not be listed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import TEST_FACES
from tests.hostile.corpus import zip_with_aliased_entries
from tests.hostile.evidence_state import age_atimes, evidence_state
from venue_audit.acquire import acquire, walk
from venue_audit.acquire.items import hash_entry
from venue_audit.acquire.limits import DEFAULT_LIMITS
from venue_audit.case import Case, CaseInfo

FACE = (TEST_FACES / "obama" / "7_small.jpg").read_bytes()


@pytest.mark.parametrize("renamed", [False, True])
def test_zip_entries_sharing_a_local_header_are_one_item_with_the_anomaly(
    tmp_path: Path, renamed: bool
) -> None:
    (tmp_path / "faces.zip").write_bytes(zip_with_aliased_entries(FACE, "face.jpg", 2999, renamed))
    records = hash_entry(tmp_path, "faces.zip", DEFAULT_LIMITS)
    members = [r for r in records if r.container == "faces.zip"]
    assert [m.path for m in members] == ["faces.zip!/face.jpg"]
    assert members[0].sha256 is not None and members[0].size == len(FACE)
    assert "2999 more central-directory entries point at this member's local header" in (
        members[0].error or ""
    )


def test_an_unlistable_folder_is_recorded_as_a_folder_not_a_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export"
    (export / "locked").mkdir(parents=True)
    (export / "locked" / "a.jpg").write_bytes(FACE)
    (export / "open.jpg").write_bytes(FACE)
    listing = walk.list_directory

    def refuse(directory: Path) -> list[str]:  # what mode 000 does to a non-root examiner
        if Path(directory).name == "locked":
            raise PermissionError(13, "Permission denied", str(directory))
        return listing(directory)

    monkeypatch.setattr(walk, "list_directory", refuse)
    case = Case.create(tmp_path / "case", CaseInfo("T", "V", ["甲", "乙"]))
    acquire(case, [export], workers=1)
    rows = {r["path"]: r for r in case.db.query("select path, entry, type, error from evidence")}
    assert rows["locked"]["entry"] == rows["locked"]["type"] == "directory"
    assert "folder could not be listed (Permission denied)" in rows["locked"]["error"]
    assert rows["open.jpg"]["error"] is None


def test_acquiring_lists_folders_without_moving_their_access_times(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "a" / "b").mkdir(parents=True)
    (export / "a" / "b" / "face.jpg").write_bytes(FACE)
    os.symlink("/etc", export / "a" / "etc")
    age_atimes(export)
    before = evidence_state(export)
    case = Case.create(tmp_path / "case", CaseInfo("T", "V", ["甲", "乙"]))
    acquire(case, [export], workers=1)
    assert evidence_state(export) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to check as another user")
def test_a_user_the_kernel_refuses_o_noatime_is_told_so(tmp_path: Path) -> None:
    """Linux grants O_NOATIME to a file's owner and root only; anyone else gets a recorded note."""
    import tempfile

    from venue_audit.acquire.items import atime_protected

    shared = Path(tempfile.mkdtemp(prefix="venue-audit-noatime-"))
    try:
        os.chmod(shared, 0o755)
        evidence = shared / "face.jpg"
        evidence.write_bytes(FACE)
        os.chmod(evidence, 0o644)
        assert atime_protected(evidence)
        os.seteuid(65534)  # nobody: may read the file, may not open it with O_NOATIME
        try:
            assert not atime_protected(evidence)
        finally:
            os.seteuid(0)
    finally:
        evidence.unlink()
        shared.rmdir()

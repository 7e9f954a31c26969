"""Acquisition reads evidence without changing it and records every item, archive members included."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.conftest import snapshot
from venue_audit.acquire import acquire, manifest_digest
from venue_audit.acquire.limits import ArchiveLimits
from venue_audit.case import Case


def _rows(case: Case) -> dict[str, dict]:
    return {r["path"]: r for r in case.db.query("select * from evidence where current = 1")}


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two files, so that even the small test trees go to the worker pool."""
    monkeypatch.setattr("venue_audit.acquire.acquisition._BATCH_FILES", 2)


@pytest.mark.parametrize("workers", [1, 2])
def test_every_byte_and_mtime_of_the_evidence_is_unchanged(
    new_case: Case, evidence_tree: Path, workers: int, pooled: None
) -> None:
    before = snapshot(evidence_tree)
    acquire(new_case, [evidence_tree], workers=workers)
    assert snapshot(evidence_tree) == before


def test_the_worker_pool_and_one_process_write_the_same_manifest(
    tmp_path: Path, evidence_tree: Path, pooled: None
) -> None:
    from venue_audit.case import CaseInfo

    digests = []
    for workers in (1, 2):
        case = Case.create(tmp_path / f"case-{workers}", CaseInfo("T", "t", ["a", "b"]))
        acquire(case, [evidence_tree], workers=workers)
        digests.append(manifest_digest(case))
        case.close()
    assert digests[0] == digests[1]


def test_files_and_archive_members_are_recorded_with_all_digests(
    new_case: Case, evidence_tree: Path
) -> None:
    acquire(new_case, [evidence_tree], workers=1)
    rows = _rows(new_case)
    big = (evidence_tree / "server" / "big.bin").read_bytes()
    assert rows["server/big.bin"]["sha256"] == hashlib.sha256(big).hexdigest()
    assert rows["server/big.bin"]["sm3"] == hashlib.new("sm3", big).hexdigest()
    assert rows["nvr/CH01/empty.jpg"]["md5"] == hashlib.md5(b"").hexdigest()
    assert rows["nvr/CH01/CH01_20240315101523.jpg"]["type"] == "jpeg"
    assert rows["server/face.db"]["type"] == "sqlite"

    member = rows["cloud-backup.zip!/day1/inner.zip!/faces/0001.jpg"]
    assert member["sha256"] == hashlib.sha256(b"\xff\xd8\xff" + b"a" * 500).hexdigest()
    assert member["type"] == "jpeg"
    inner = rows["cloud-backup.zip!/day1/inner.zip"]
    assert member["parent_id"] == inner["id"]
    assert inner["parent_id"] == rows["cloud-backup.zip"]["id"]
    assert "unsafe member name" in rows["cloud-backup.zip!/day1/inner.zip!/../escape.txt"]["error"]
    assert rows["server/pack.tar.gz!/pack/0002.png"]["type"] == "png"
    tar_link = rows["server/pack.tar.gz!/pack/passwd"]
    assert (tar_link["entry"], tar_link["link_target"], tar_link["sha256"]) == (
        "symlink",
        "/etc/passwd",
        None,
    )


def test_symlinks_are_recorded_and_never_followed(new_case: Case, evidence_tree: Path) -> None:
    acquire(new_case, [evidence_tree], workers=1)
    rows = _rows(new_case)
    link = rows["link-to-etc"]
    assert (link["entry"], link["link_target"]) == ("symlink", "/etc")
    assert not any(path.startswith("link-to-etc/") for path in rows)


def test_fifos_are_recorded_and_skipped(new_case: Case, evidence_tree: Path) -> None:
    os.mkfifo(evidence_tree / "pipe")
    acquire(new_case, [evidence_tree], workers=1)
    pipe = _rows(new_case)["pipe"]
    assert pipe["entry"] == "fifo" and pipe["sha256"] is None and "not read" in pipe["error"]


def test_a_corrupt_archive_is_recorded_and_the_acquisition_goes_on(
    new_case: Case, tmp_path: Path
) -> None:
    root = tmp_path / "src"
    root.mkdir()
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("a.jpg", b"x" * 1000)
    (root / "broken.zip").write_bytes(good.getvalue()[:-30])
    (root / "later.txt").write_text("still hashed")
    acquire(new_case, [root], workers=1)
    rows = _rows(new_case)
    assert rows["broken.zip"]["sha256"] == hashlib.sha256(good.getvalue()[:-30]).hexdigest()
    assert any(
        r["entry"] == "unreadable" and r["path"].startswith("broken.zip!/") for r in rows.values()
    )
    assert rows["later.txt"]["sha256"]


def test_a_zip_bomb_member_is_refused_from_its_header(new_case: Case, tmp_path: Path) -> None:
    root = tmp_path / "src"
    root.mkdir()
    with zipfile.ZipFile(root / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\x00" * (8 << 20))
    limits = ArchiveLimits(ratio_applies_above=1 << 20, max_ratio=100)
    acquire(new_case, [root], workers=1, limits=limits)
    member = _rows(new_case)["bomb.zip!/zeros.bin"]
    assert member["sha256"] is None and "zip bomb" in member["error"]


def test_reacquiring_an_unchanged_source_adds_nothing(
    new_case: Case, evidence_tree: Path, pooled: None
) -> None:
    first = acquire(new_case, [evidence_tree], workers=2)
    count = new_case.db["evidence"].count
    digest = manifest_digest(new_case)
    second = acquire(new_case, [evidence_tree], workers=2)
    assert new_case.db["evidence"].count == count
    assert manifest_digest(new_case) == digest
    assert len(second.sources[0].unchanged) == len(first.sources[0].new)
    assert second.sources[0].new == second.sources[0].changed == []


def test_reacquiring_a_changed_source_records_a_new_version(
    new_case: Case, evidence_tree: Path
) -> None:
    acquire(new_case, [evidence_tree], workers=1)
    (evidence_tree / "server" / "face.db").write_bytes(b"SQLite format 3\x00changed")
    (evidence_tree / "nvr" / "CH01" / "empty.jpg").unlink()
    result = acquire(new_case, [evidence_tree], workers=1).sources[0]
    assert result.changed == ["server/face.db"]
    assert result.missing == ["nvr/CH01/empty.jpg"]
    versions = list(
        new_case.db.query(
            "select version, current from evidence where path = 'server/face.db' order by version"
        )
    )
    assert versions == [{"version": 1, "current": 0}, {"version": 2, "current": 1}]


def test_a_source_holding_the_case_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    from venue_audit.case import CaseInfo
    from venue_audit.errors import UsageError

    (tmp_path / "a.txt").write_text("evidence")
    case = Case.create(tmp_path / "case", CaseInfo("T", "V", ["a", "b"]))
    with pytest.raises(UsageError, match=r"the case folder .* is inside the evidence"):
        acquire(case, [tmp_path], workers=1)
    assert _rows(case) == {}
    assert [e["action"] for e in case.custody_events()] == ["case.new"]


def test_acquisition_is_logged_with_the_manifest_digest(
    new_case: Case, evidence_tree: Path
) -> None:
    acquire(new_case, [evidence_tree], workers=1)
    event = new_case.custody_events()[-1]
    assert event["action"] == "acquire"
    assert manifest_digest(new_case) in event["detail"]


def test_a_small_file_that_grew_after_it_was_listed_is_hashed_to_its_end(tmp_path: Path) -> None:
    from venue_audit.acquire.items import _read_to_end

    grown = tmp_path / "grown.jpg"
    grown.write_bytes(b"x" * 5000)
    fd = os.open(grown, os.O_RDONLY)
    try:
        assert _read_to_end(fd, 100) == b"x" * 5000  # listed at 100 bytes, 5000 now
    finally:
        os.close(fd)
    fd = os.open(grown, os.O_RDONLY)
    try:
        assert _read_to_end(fd, 9000) == b"x" * 5000  # listed longer than it is now
    finally:
        os.close(fd)

"""Read-ahead: files are asked for ahead of their hashing, through the read-only opener only."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.hostile.evidence_state import age_atimes, evidence_state
from venue_audit.acquire import acquire, manifest_digest
from venue_audit.acquire import readahead as readahead_module
from venue_audit.acquire.readahead import ReadAhead
from venue_audit.acquire.walk import list_entries
from venue_audit.case import Case, CaseInfo


def _tree(root: Path) -> Path:
    (root / "CH01").mkdir(parents=True)
    for i in range(40):
        (root / "CH01" / f"CH01_{i:04d}.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(500 + i))
    os.mkfifo(root / "CH01" / "pipe")
    os.symlink("/etc/passwd", root / "CH01" / "link.jpg")
    (root / "empty").mkdir()
    return root


def _warm_all(ahead: ReadAhead, relatives: list[str], seen: list[Path]) -> None:
    ahead.warm(relatives)
    deadline = time.monotonic() + 30
    while len(seen) < len(relatives) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_warming_every_entry_leaves_bytes_mtimes_and_atimes_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "export")
    age_atimes(root)
    before = evidence_state(root)
    opened: list[Path] = []
    real_open = readahead_module.open_evidence

    def recording_open(path: Path):  # type: ignore[no-untyped-def]
        opened.append(path)
        return real_open(path)

    monkeypatch.setattr(readahead_module, "open_evidence", recording_open)
    relatives = [e.relative for e in list_entries(root)]
    with ReadAhead(root) as ahead:
        _warm_all(ahead, relatives, opened)

    assert sorted(opened) == sorted(root / r for r in relatives)  # the opener, for every entry
    assert evidence_state(root) == before


def test_an_acquisition_with_read_ahead_writes_the_manifest_of_one_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "export")
    monkeypatch.setattr("venue_audit.acquire.acquisition._BATCH_FILES", 4)  # the pool path
    digests = []
    for name, fadvise in (("with", True), ("without", False)):
        if not fadvise:
            monkeypatch.delattr(os, "posix_fadvise")
        case = Case.create(tmp_path / name, CaseInfo("T", "t", ["a", "b"]))
        acquire(case, [root], workers=2)
        digests.append(manifest_digest(case))
        case.close()
    assert digests[0] == digests[1]


def test_an_acquisition_warms_regular_files_only_never_a_fifo_link_or_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "export")
    monkeypatch.setattr("venue_audit.acquire.acquisition._BATCH_FILES", 4)  # the pool path
    warmed: list[str] = []
    real_warm = ReadAhead.warm

    def recording_warm(self: ReadAhead, relatives: list[str]) -> None:
        warmed.extend(relatives)
        real_warm(self, relatives)

    monkeypatch.setattr(ReadAhead, "warm", recording_warm)
    case = Case.create(tmp_path / "case", CaseInfo("T", "t", ["a", "b"]))
    acquire(case, [root], workers=2)
    case.close()

    assert sorted(warmed) == sorted(f"CH01/CH01_{i:04d}.jpg" for i in range(40))
    assert {e.relative for e in list_entries(root) if not e.regular} == {
        "CH01/link.jpg",
        "CH01/pipe",
    }

"""Shared fixtures: evidence trees made by code, and snapshots that prove they stay untouched."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from venue_audit.case import Case, CaseInfo

# Real face photos (MIT, from the face_recognition project): tests/data/faces/README.md
TEST_FACES = Path(__file__).resolve().parent / "data" / "faces"


def snapshot(tree: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry's bytes (or link target) and mtime in nanoseconds, links not followed."""
    state: dict[str, tuple[bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = os.lstat(path)
            if path.is_symlink():
                content = os.readlink(path).encode()
            elif path.is_file():
                content = path.read_bytes()
            else:
                content = b"<dir>"
            state[str(path.relative_to(tree))] = (content, info.st_mtime_ns)
    return state


@pytest.fixture
def evidence_tree(tmp_path: Path) -> Path:
    """A small venue export: pictures, a database-ish blob, a nested zip and a tar.gz."""
    root = tmp_path / "export"
    (root / "nvr" / "CH01").mkdir(parents=True)
    (root / "nvr" / "CH01" / "CH01_20240315101523.jpg").write_bytes(
        b"\xff\xd8\xff\xe0" + os.urandom(3000)
    )
    (root / "nvr" / "CH01" / "empty.jpg").write_bytes(b"")
    (root / "server").mkdir()
    (root / "server" / "face.db").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    (root / "server" / "big.bin").write_bytes(os.urandom(5 * (1 << 20) + 17))
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("faces/0001.jpg", b"\xff\xd8\xff" + b"a" * 500)
        archive.writestr("../escape.txt", "traversal name")
    with zipfile.ZipFile(root / "cloud-backup.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("day1/inner.zip", inner.getvalue())
        archive.writestr("day1/log.txt", "uploaded 2 files\n")
    with tarfile.open(root / "server" / "pack.tar.gz", "w:gz") as archive:
        data = b"\x89PNG\r\n\x1a\n" + os.urandom(200)
        info = tarfile.TarInfo("pack/0002.png")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("pack/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    os.symlink("/etc", root / "link-to-etc")
    return root


@pytest.fixture
def new_case(tmp_path: Path) -> Case:
    return Case.create(
        tmp_path / "case",
        CaseInfo(case_no="T-001", venue="Test venue", examiners=["甲", "乙"]),
        command=["test"],
    )

"""The per-machine cache remembers digests of our own installed files, never stale ones."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from venue_audit.cache_dir import installed_file_sha256


def test_a_remembered_digest_is_the_files_own_and_is_made_again_when_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENUE_AUDIT_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model.dat"
    model.write_bytes(b"weights" * 1000)
    assert installed_file_sha256(model) == hashlib.sha256(model.read_bytes()).hexdigest()
    assert installed_file_sha256(model) == hashlib.sha256(model.read_bytes()).hexdigest()
    model.write_bytes(b"other weights" * 1000)
    os.utime(model, ns=(1, 1))
    assert installed_file_sha256(model) == hashlib.sha256(model.read_bytes()).hexdigest()
    remembered = {p.read_text() for p in (tmp_path / "cache" / "sha256").iterdir()}
    assert remembered == {
        hashlib.sha256(b"weights" * 1000).hexdigest(),
        hashlib.sha256(b"other weights" * 1000).hexdigest(),
    }


def test_a_damaged_cache_entry_is_not_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENUE_AUDIT_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model.dat"
    model.write_bytes(b"weights")
    installed_file_sha256(model)
    for entry in (tmp_path / "cache" / "sha256").iterdir():
        entry.write_text("not a digest")
    assert installed_file_sha256(model) == hashlib.sha256(b"weights").hexdigest()

"""File and member names that are not UTF-8 are stored escaped and still found on disk."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

from tests.hostile.corpus import noise_image
from venue_audit.acquire import acquire, export_manifest, verify_manifest
from venue_audit.acquire.names import on_disk, storable
from venue_audit.case import Case
from venue_audit.scan import ScanOptions, scan


def test_undecodable_bytes_are_stored_as_backslash_x_and_mapped_back(tmp_path: Path) -> None:
    real = str(tmp_path / os.fsdecode(b"caf\xe9-\xff.jpg"))
    Path(real).write_bytes(b"x")
    stored = storable(real)
    assert stored.endswith("caf\\xe9-\\xff.jpg")
    stored.encode("utf-8")
    assert on_disk(stored) == real
    assert storable("人脸/ok.jpg") == "人脸/ok.jpg" == on_disk("人脸/ok.jpg")


def test_a_name_that_literally_contains_backslash_x_is_kept(tmp_path: Path) -> None:
    literal = tmp_path / "a\\xff.jpg"
    literal.write_bytes(b"x")
    assert storable(str(literal)) == str(literal)
    assert on_disk(str(literal)) == str(literal)


def test_non_utf8_file_and_member_names_are_acquired_scanned_and_verified(
    tmp_path: Path, new_case: Case
) -> None:
    evidence = tmp_path / "export"
    evidence.mkdir()
    (evidence / os.fsdecode(b"\xff\xfe.jpg")).write_bytes(noise_image("JPEG"))
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w", format=tarfile.GNU_FORMAT) as archive:
        data = b"id,name\n1,x\n"
        info = tarfile.TarInfo(os.fsdecode(b"rows-\xe9.csv"))
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    (evidence / "pack.tar").write_bytes(packed.getvalue())

    acquire(new_case, [evidence], workers=1)
    scan(new_case, ScanOptions(workers=1))

    paths = {r["path"] for r in new_case.db.query("select path from evidence")}
    assert {"\\xff\\xfe.jpg", "pack.tar", "pack.tar!/rows-\\xe9.csv"} <= paths
    stats = [json.loads(r["stats"]) for r in new_case.db.query("select stats from scan_state")]
    assert sum(s.get("pictures", 0) for s in stats) == 1
    assert sum(s.get("table_rows", 0) for s in stats) == 1
    assert verify_manifest(new_case, workers=1).passed
    hashdeep = export_manifest(new_case)["hashdeep"].read_bytes()
    assert b"/\xff\xfe.jpg\n" in hashdeep

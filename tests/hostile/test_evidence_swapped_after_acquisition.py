"""Files swapped for a symlink or a FIFO between acquisition and scan are refused, not followed.

Evidence on a live system can change under the examiner. A FIFO put where a
picture was would block ``open`` forever; a symlink to ``/etc/passwd`` would
read a file outside the evidence. Both are skipped with a located reason, and
verify-manifest reports the change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from venue_audit.acquire import acquire, verify_manifest
from venue_audit.case import Case
from venue_audit.scan import ScanOptions, scan


@pytest.mark.timeout(120)
def test_a_symlink_or_fifo_swapped_in_after_acquisition_is_skipped_not_read(
    tmp_path: Path, new_case: Case
) -> None:
    evidence = tmp_path / "export"
    evidence.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (evidence / name).write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    acquire(new_case, [evidence], workers=1)
    (evidence / "a.jpg").unlink()
    os.symlink("/etc/passwd", evidence / "a.jpg")
    (evidence / "b.jpg").unlink()
    os.mkfifo(evidence / "b.jpg")

    scan(new_case, ScanOptions(workers=1))

    reasons = {r["locator"]: r["reason"] for r in new_case.db.query("select * from skipped")}
    assert "symbolic links" in reasons["export/a.jpg"]
    assert "not a regular file" in reasons["export/b.jpg"]
    assert new_case.db.execute("select count(*) from artifacts").fetchone()[0] == 0
    assert sorted(verify_manifest(new_case, workers=1).changed) == ["a.jpg", "b.jpg"]
    assert new_case.verify_custody() == []

"""Real faces packed among hostile members are counted exactly once each.

Two photos (A and B) are spread over a tar cut off inside B, a zip holding two
members of the same name (A, then B), and a zip with traversal names (A, B)
beside a broken picture. The true answer: two distinct captures (A, B), every
other copy an exact duplicate, the cut-off member and the broken picture skipped.
"""

from __future__ import annotations

import io
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TEST_FACES
from venue_audit.acquire import acquire, verify_manifest
from venue_audit.case import Case
from venue_audit.scan import ScanOptions, count_faces, scan

A = TEST_FACES / "obama" / "7_small.jpg"
B = TEST_FACES / "kit_harington" / "2.jpeg"


def hostile_archives(root: Path) -> None:
    a, b = A.read_bytes(), B.read_bytes()
    root.mkdir()
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w") as archive:
        for name, data in (("a.jpg", a), ("b.jpg", b)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    (root / "cut.tar").write_bytes(packed.getvalue()[: 3 * 512 + len(a) + len(b) // 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the repeated name
        with zipfile.ZipFile(root / "same-names.zip", "w") as archive:
            archive.writestr("faces/0001.jpg", a)
            archive.writestr("faces/0001.jpg", b)
    with zipfile.ZipFile(root / "slip.zip", "w") as archive:
        archive.writestr("../../faces/0001.jpg", a)
        archive.writestr("broken.jpg", b"\xff\xd8\xff" + bytes(100))
        archive.writestr("/abs/0002.jpg", b)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Case:
    from venue_audit.case import CaseInfo

    base = tmp_path_factory.mktemp("counts")
    hostile_archives(base / "export")
    case = Case.create(base / "case", CaseInfo("T-COUNT", "V", ["甲", "乙"]))
    acquire(case, [base / "export"], workers=1)
    scan(case, ScanOptions(workers=1))
    return case


def test_each_distinct_picture_is_one_record_and_every_copy_a_duplicate(scanned: Case) -> None:
    counts = count_faces(scanned).as_summary()
    assert (counts["records"], counts["face_images"], counts["exact_duplicates"]) == (2, 2, 3)


def test_members_of_a_repeated_name_get_locators_of_their_own(scanned: Case) -> None:
    locators = {r["locator"] for r in scanned.db.query("select locator from artifacts")}
    assert {"export/same-names.zip!/faces/0001.jpg", "export/same-names.zip!/faces/0001.jpg#2"} <= (
        locators
    )
    paths = {r["path"] for r in scanned.db.query("select path from evidence")}
    assert {"same-names.zip!/faces/0001.jpg", "same-names.zip!/faces/0001.jpg#2"} <= paths


def test_the_cut_off_member_and_the_broken_picture_are_skipped(scanned: Case) -> None:
    skipped = {r["locator"] for r in scanned.db.query("select locator from skipped")}
    assert {"export/cut.tar!/b.jpg", "export/slip.zip!/broken.jpg"} <= skipped


def test_acquiring_archives_with_repeated_names_again_finds_nothing_changed(
    scanned: Case,
) -> None:
    root = Path(next(iter(scanned.db.query("select root from sources")))["root"])
    again = acquire(scanned, [root], workers=1).sources[0]
    assert (again.changed, again.new, again.missing) == ([], [], [])
    assert verify_manifest(scanned, workers=1).passed

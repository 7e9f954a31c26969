"""One person is one person across embedding spaces: evidence keys join what distances cannot.

Each instance is built from the upstream schema generators of tests/profiles (one store each),
scanned and identified for real; its true number of people is known from how it was built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiles import test_compreface, test_digikam, test_immich, test_photoprism
from tests.profiles.fixtures import crop, gzipped, pg_dump, sqlite_db, write
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.identify import IdentifyResult, identify
from venue_audit.scan import ScanOptions, scan


def _identified(tmp_path: Path, root: Path) -> tuple[Case, IdentifyResult]:
    case = Case.create(tmp_path / "case", CaseInfo("T-SPACES", "跨空间", ["甲", "乙"]))
    acquire(case, [root], workers=1)
    scan(case, ScanOptions(workers=1))
    return case, identify(case)


@pytest.mark.parametrize("schema", ["v1.137", "v1.106"])
def test_immich_person_thumbnails_and_arcface_templates_are_the_same_people(
    tmp_path: Path, schema: str
) -> None:
    spec, truth = test_immich.tables(seed=7, schema=schema)
    root = tmp_path / "export"
    write(root / "library/backups/immich-db-backup.sql.gz", gzipped(pg_dump(spec)))
    owner = truth["owner"]
    for index, (name, pid) in enumerate(truth["persons"].items()):
        folder = f"library/thumbs/{owner}/{pid[:2]}/{pid[2:4]}"
        write(root / folder / f"{pid}.jpeg", crop(name, index))
    case, result = _identified(tmp_path, root)
    spaces = {row["space"] for row in case.db.query("select distinct space from faces")}
    assert len(spaces) == 2  # dlib for the thumbnails, ArcFace for the templates
    # obama, biden, kit_harington (thumbnail + templates, joined by personId) and one visitor
    assert result.distinct == 4
    assert result.linked_across_spaces == 3
    assert result.lower_bound <= 4 <= result.interval[1]


def test_compreface_subject_joins_its_uploads_and_its_templates_of_two_models(
    tmp_path: Path,
) -> None:
    spec, _ = test_compreface.tables(seed=2, sqlite=True)
    root = tmp_path / "export"
    sqlite_db(root / "compreface/frs.sqlite", spec)
    _, result = _identified(tmp_path, root)
    assert len(result.by_space) == 3  # dlib (uploads), FaceNet, ArcFace
    assert result.distinct == 3  # visitor_0001, visitor_0002, visitor_0003
    assert result.lower_bound <= 3 <= result.interval[1]


def test_digikam_6_pixels_and_dlib_vectors_count_each_identity_once(tmp_path: Path) -> None:
    root = tmp_path / "export"
    (root / "digikam6").mkdir(parents=True)
    identities = test_digikam.legacy(root / test_digikam.LEGACY)
    _, result = _identified(tmp_path, root)
    assert sorted(set(identities)) == [1, 2, 3]
    assert list(result.by_space) == ["dlib-resnet-v1-128"]
    assert result.distinct == 3


def test_photoprism_centroids_and_markers_are_one_person_per_subject(tmp_path: Path) -> None:
    spec, _ = test_photoprism.tables(seed=5)
    root = tmp_path / "export"
    sqlite_db(root / "photoprism/storage/index.db", spec)
    _, result = _identified(tmp_path, root)
    assert result.distinct == 3  # obama, biden, and the stranger nobody named


def test_photoprism_cached_crops_are_their_markers_people(tmp_path: Path) -> None:
    """Crops (dlib space) name no subject: each is linked through its marker's thumb."""
    spec, truth = test_photoprism.tables(seed=5)
    root = tmp_path / "export"
    sqlite_db(root / "photoprism/storage/index.db", spec)
    faces = {"obama": "obama", "biden": "biden", None: "rose_leslie"}  # the stranger's real face
    for index, (name, thumb) in enumerate(truth["thumbs"]):
        digest, area = thumb.split("-")
        folder = f"photoprism/storage/cache/thumbnails/{digest[0]}/{digest[1]}/{digest[2]}"
        write(root / folder / f"{digest}_160x160_crop_{area}.jpg", crop(faces[name], index))
    case, result = _identified(tmp_path, root)
    spaces = {row["space"] for row in case.db.query("select distinct space from faces")}
    assert len(spaces) == 2  # dlib for the crops, FaceNet for the templates
    assert len(truth["thumbs"]) == 6
    # obama (3 crops), biden (2) and the stranger (1), each with their markers and centroid
    assert result.distinct == 3
    assert result.linked_across_spaces == 3
    assert result.lower_bound <= 3 <= result.interval[1]

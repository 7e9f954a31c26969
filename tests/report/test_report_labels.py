"""The zh report names every setting in Chinese, and points every picture at its evidence-list row."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest

from venue_audit.acquire import acquire
from venue_audit.acquire.exports import display_path, manifest_rows
from venue_audit.case import Case, CaseInfo
from venue_audit.faces.engine import EngineConfig
from venue_audit.persons.config import ClusteringConfig
from venue_audit.report import labels
from venue_audit.report.evidence_numbers import EvidenceNumbers


@pytest.mark.parametrize(
    "field",
    [f.name for f in dataclasses.fields(EngineConfig)]
    + [f.name for f in dataclasses.fields(ClusteringConfig) if f.name != "notes"],
)
def test_every_engine_and_clustering_setting_has_a_chinese_name(field: str) -> None:
    zh, en = labels.PARAMETERS[field]
    assert zh and en and zh != field


def test_a_picture_in_an_archive_points_at_the_members_row_not_the_archives(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "a.jpg").write_bytes(b"\xff\xd8 not really a picture")
    with zipfile.ZipFile(export / "backup.zip", "w") as archive:
        archive.writestr("faces/one.jpg", b"one")
        archive.writestr("faces/two.jpg", b"two")
        archive.writestr("db/inner.db", b"three")
    case = Case.create(tmp_path / "case", CaseInfo("N-1", "venue", ["甲", "乙"]))
    acquire(case, [export])
    rows = manifest_rows(case)
    listed = {display_path(row): number for number, row in enumerate(rows, 1)}
    ids = {display_path(row): row["id"] for row in rows}
    container, loose = ids["export/backup.zip"], ids["export/a.jpg"]
    numbers = EvidenceNumbers(case.db)

    assert numbers.of(container, "export/backup.zip!/faces/two.jpg") == listed[
        "export/backup.zip!/faces/two.jpg"
    ]
    assert numbers.of(container, "export/backup.zip!/db/inner.db, table t, rowid 3") == listed[
        "export/backup.zip!/db/inner.db"
    ]
    assert numbers.of(container, "export/backup.zip") == listed["export/backup.zip"]
    assert numbers.of(container, "export/backup.zip!/gone.jpg") == listed["export/backup.zip"]
    assert numbers.of(loose, "export/a.jpg") == listed["export/a.jpg"]
    assert numbers.of(None, "anything") is None

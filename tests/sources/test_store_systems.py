"""The report's store table names each gear or product with its version, from what the scan recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiles import test_digikam, test_immich
from tests.profiles.fixtures import gzipped, pg_dump, write
from tests.sources import test_dahua_dhfs, test_hikvision_disk
from tests.sources.cctv_fixtures import dhfs_disk, hik_disk
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.report.load import load_report_data
from venue_audit.scan import ScanOptions, scan
from venue_audit.summary import build_summary


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    base = tmp_path_factory.mktemp("systems")
    root = base / "export"
    spec, _ = test_immich.tables(seed=31, schema="v1.106")
    write(root / "immich/backup.sql.gz", gzipped(pg_dump(spec)))
    test_digikam.legacy(root / "digikam6/recognition.db")
    write(root / "nvr/disk.dd", hik_disk(test_hikvision_disk.blocks("systems"), test_hikvision_disk.LOGS))
    write(root / "dvr/disk.img", dhfs_disk(test_dahua_dhfs.layout()))
    made = Case.create(base / "case", CaseInfo("T-SYS", "系统", ["甲", "乙"]))
    acquire(made, [root], workers=1)
    scan(made, ScanOptions(workers=1))
    return made


def test_the_summary_and_the_report_name_the_gear_and_its_version(case: Case) -> None:
    summary = build_summary(case)
    systems = {Path(s["path"]).parent.name: s["system"] for s in summary["stores"]}
    assert systems == {
        "immich": "Immich, v1.106–1.136",
        "digikam6": "digiKam recognition.db, digiKam 6 (face schema v3)",
        "nvr": "Hikvision NVR/DVR hard disk (HIKVISION@HANGZHOU file system), HIK.2011.03.08",
        "dvr": "Dahua NVR/DVR hard disk (DHFS4.1), DHFS4.1",
    }
    report = load_report_data(case, summary=summary)
    assert sorted(row.profile for row in report.stores) == sorted(systems.values())

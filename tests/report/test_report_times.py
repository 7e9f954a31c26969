"""Every capture time says its clock and whether its UTC offset was stored or assumed.

A venue database holds one capture time per row: one written with its offset (UTC), one
as a bare wall-clock time, one as a Unix time. The scan records for each how the offset
was known; the report says it per time, and shows all three in the case zone.
"""

from __future__ import annotations

import csv
import sqlite3

import pytest

from tests.conftest import TEST_FACES
from tests.pdf_reading import pdf_text
from venue_audit.audit import AuditRequest, audit
from venue_audit.case import CaseInfo
from venue_audit.consent.capture_time import from_column
from venue_audit.consent.timestamps import read_timestamp

# visitor -> (photo, stored value); all three are 2024-03-15 10:15:23 in Shanghai
ROWS = {
    "V1": ("obama/1.jpg", "2024-03-15T02:15:23Z"),
    "V2": ("biden/1.jpg", "2024-03-15 10:15:23"),
    "V3": ("rose_leslie/1.jpg", 1710468923),
}


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        ("2024-03-15T02:15:23Z", "stored"),
        ("2024-03-15 10:15:23+08:00", "stored"),
        ("2024-03-15 10:15:23", "assumed"),
        ("2024年3月15日 10时15分", "assumed"),
        (45366.427, "assumed"),  # an Excel day serial is wall-clock time
        (1710468923, "absolute"),
        ("1710468923000", "absolute"),
    ],
)
def test_a_time_says_how_its_offset_was_known(value: object, offset: str) -> None:
    read = read_timestamp(value, "Asia/Shanghai")
    assert read is not None and read.offset == offset
    assert read.at.utcoffset() is not None
    assert from_column(value, "capture_time", "Asia/Shanghai").offset == offset  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("times")
    export = root / "export"
    export.mkdir()
    with sqlite3.connect(export / "capture.db") as db:
        db.execute(
            "create table t_capture (id integer primary key, visitor_id text, capture_time,"
            " face_img blob)"
        )
        for visitor, (photo, stamp) in ROWS.items():
            db.execute(
                "insert into t_capture (visitor_id, capture_time, face_img) values (?, ?, ?)",
                (visitor, stamp, (TEST_FACES / photo).read_bytes()),
            )
    audit(
        AuditRequest(
            sources=[export],
            case_dir=root / "case",
            case_info=CaseInfo("TIMES-1", "售楼处", ["甲", "乙"]),
            as_of="2024-06-30",
            report_pdf=root / "report" / "report.pdf",
            workers=1,
        )
    )
    with (root / "report" / "persons.csv").open(encoding="utf-8-sig", newline="") as handle:
        persons = {
            row["场所标识 venue_keys"].removeprefix("visitor_id="): row
            for row in csv.DictReader(handle)
        }
    return {"persons": persons, "text": pdf_text(root / "report" / "report.pdf", layout=False)}


@pytest.mark.slow
def test_the_scan_records_each_times_offset_and_the_annex_carries_it(audited: dict) -> None:
    offsets = {
        visitor: row["首次采集时间的时区依据 first_seen_offset"]
        for visitor, row in audited["persons"].items()
    }
    assert offsets == {"V1": "stored", "V2": "assumed", "V3": "absolute"}
    for row in audited["persons"].values():
        assert row["首次采集 first_seen"] == "2024-03-15T10:15:23+08:00"


@pytest.mark.slow
def test_the_report_says_per_time_whether_its_offset_was_stored(audited: dict) -> None:
    text = audited["text"].replace("\n", "")
    assert "数据库字段 capture_time（原始值带时区，换算为 Asia/Shanghai 显示）" in text
    assert "数据库字段 capture_time（原始值无时区，按 Asia/Shanghai 解释）" in text
    assert "数据库字段 capture_time（原始值为 Unix 时间戳，换算为 Asia/Shanghai 显示）" in text
    assert "字段值无时区时按" not in text  # never the general rule when the scan knows

"""A Qingpu-sized case (28,000 records, 10,000 persons) stays a short, readable PDF.

The PDF keeps aggregates and top-N tables; the annexes carry every row.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from conftest import line_with, pdf_text
from report_samples import make_report_data

from venue_audit.report.render import render_report

RECORDS, PERSONS = 28_000, 10_000


def test_large_case_renders_short_with_full_annexes(tmp_path: Path) -> None:
    data = make_report_data(
        records=RECORDS, persons=PERSONS, days=365, evidence_items=RECORDS, with_thumbnails=False
    )
    outputs = render_report(data, tmp_path / "report.pdf")
    assert outputs.pages <= 40
    text = pdf_text(outputs.pdf)
    assert re.search(
        rf"人脸采集记录（人次）\s+{RECORDS}\b", line_with(text, "人脸采集记录（人次）")
    )
    assert re.search(rf"不同自然人（人数）\s+{PERSONS}\b", line_with(text, "不同自然人（人数）"))
    assert f"按记录数列出前 50 人（共 {PERSONS} 人）" in text
    assert f"本表列出前 300 项（共 {RECORDS} 项）" in text
    with outputs.annexes["persons.csv"].open(encoding="utf-8-sig") as handle:
        assert sum(1 for _ in csv.reader(handle)) == PERSONS + 1
    with outputs.annexes["manifest.csv"].open(encoding="utf-8-sig") as handle:
        assert sum(1 for _ in csv.reader(handle)) == RECORDS + 1


def test_a_path_longer_than_a_page_is_abbreviated_never_a_layout_error(tmp_path: Path) -> None:
    from venue_audit.report.model import SkippedItem

    data = make_report_data(records=20, persons=4)
    deep = "/".join(f"目录{n:03d}" for n in range(900)) + "/face.jpg"  # > 4,096 bytes
    assert len(deep.encode()) > 4096
    data.evidence[0].path = deep
    data.findings[0].locators.insert(0, f"{deep}, table t, rowid 1, column face_img")
    data.stores[0].path = deep
    data.persons[0].stores = [deep]
    data.skipped.append(SkippedItem(locator=deep, reason="x" * 6000, stage="scan"))
    outputs = render_report(data, tmp_path / "report.pdf")
    text = pdf_text(outputs.pdf, layout=False).replace("\n", "")
    assert f"共 {len(deep)} 个字符，全文见附件 manifest.csv" in text
    with outputs.annexes["manifest.csv"].open(encoding="utf-8-sig") as handle:
        assert deep in [row[2] for row in csv.reader(handle)]


def test_a_person_with_hundreds_of_keys_and_stores_lists_a_few_and_points_to_the_annex(
    tmp_path: Path,
) -> None:
    """The Ningbo-sized run: one person seen 2,000 times made a cell taller than a page."""
    data = make_report_data(records=20, persons=4)
    top = max(data.persons, key=lambda p: p.records)
    top.keys = [f"face_id=F{n:05d}" for n in range(600)]
    top.stores = [f"CH{n % 8 + 1:02d}/2024-03-{n % 28 + 1:02d}/part{n}" for n in range(400)]
    top.cameras = [f"CH{n:02d}" for n in range(1, 9)]
    top.consent_rows = [f"到访登记同意书.csv row {n}" for n in range(300)]
    outputs = render_report(data, tmp_path / "report.pdf")
    text = pdf_text(outputs.pdf, layout=False).replace("\n", "")
    assert "另 588 项，全文见附件 persons.csv" in text  # 600 keys, 12 shown
    assert "另 396 项，全文见附件 persons.csv" in text  # 400 stores + 8 cameras, 12 shown
    assert "face_id=F00599" not in text
    with outputs.annexes["persons.csv"].open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    keys = next(row[10] for row in rows[1:] if row[0] == str(top.id))
    assert keys.count("face_id=") == 600

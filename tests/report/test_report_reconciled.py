"""One reconciled set of numbers in summary.json, every annex and the PDF, for a venue whose
cloud bucket holds copies of its server's faces and no upload log survives.

The case: the sample sales office's server database (live rows, deleted rows, a visitor
whose faces survive only in deleted rows), a visitor register, the consent register, and
a cloud backup zip holding byte-identical copies of three server crops. There is no log
at all: the off-site transfer must be found from content alone.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.pdf_reading import (
    ink_in_text_boxes,
    pdf_fonts,
    pdf_text,
    undrawn_chinese_characters,
)
from venue_audit.audit import AuditRequest, audit
from venue_audit.case import CaseInfo

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CONSENT = SAMPLE / "consent" / "到访登记同意书.csv"
CLOUD_COPIES = 3


def _crops(database: Path) -> list[tuple[str, bytes]]:
    uri = f"file:{database}?mode=ro&immutable=1"
    with sqlite3.connect(uri, uri=True) as db:
        return db.execute(
            "select visitor_id, face_img from t_face_capture order by id limit ?", [CLOUD_COPIES]
        ).fetchall()


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("reconciled")
    export = root / "export"
    (export / "server").mkdir(parents=True)
    shutil.copyfile(SAMPLE / "export/server/face_capture.db", export / "server/face_capture.db")
    with (export / "server" / "visitors.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["visitor_id", "mobile_md5", "first_visit"])
        for n in range(1, 7):
            writer.writerow([f"V100{n}", f"{n:032x}", f"2024-0{n % 6 + 1}-01"])
    (export / "cloud").mkdir()
    with zipfile.ZipFile(export / "cloud" / "daily_20240601.zip", "w") as archive:
        for number, (visitor, jpeg) in enumerate(_crops(export / "server/face_capture.db")):
            entry = zipfile.ZipInfo(f"faces/{visitor}_{number}.jpg", (2024, 6, 1, 2, 0, 0))
            archive.writestr(entry, jpeg)
    result = audit(
        AuditRequest(
            sources=[export],
            case_dir=root / "case",
            case_info=CaseInfo("REC-1", "售楼处", ["甲", "乙"]),
            consent_log=CONSENT,
            policy=SAMPLE / "policy.toml",
            as_of="2024-06-30",
            report_pdf=root / "report" / "report.pdf",
            summary_json=root / "summary.json",
            workers=1,
        )
    )
    folder = root / "report"
    return {
        "summary": result.summary,
        "annex_summary": json.loads((folder / "summary.json").read_text(encoding="utf-8")),
        "persons": _rows(folder / "persons.csv"),
        "findings": _rows(folder / "findings.csv"),
        "faces": _rows(folder / "faces.csv"),
        "manifest": _rows(folder / "manifest.csv"),
        "pdf": folder / "report.pdf",
        "text": pdf_text(folder / "report.pdf"),
    }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.split()[-1]: value for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


@pytest.mark.slow
def test_the_off_site_copies_are_a_finding_without_any_log(audited: dict) -> None:
    summary = audited["summary"]
    offsite = next(f for f in summary["findings"] if f["rule"] == "offsite-transfer")
    assert (offsite["count"], offsite["unit"]) == (CLOUD_COPIES, "records")
    assert "Measures Art. 8" not in offsite["citations"]  # 2024 conduct: later guidance only
    assert summary["offsite"] == [
        {
            "store": "export/cloud/daily_20240601.zip",
            "why": "path: cloud",
            "copies": CLOUD_COPIES,
            "matches": 0,
            "other": 0,
            "first": summary["offsite"][0]["first"],
            "last": summary["offsite"][0]["last"],
        }
    ]
    row = next(r for r in audited["findings"] if r["rule"] == "offsite-transfer")
    assert int(row["count"]) == CLOUD_COPIES
    assert len(row["locators"].split("; ")) == CLOUD_COPIES
    assert "未发现上传日志" in audited["text"]
    assert "未发现上传或删除事件" in audited["text"]


@pytest.mark.slow
def test_one_set_of_numbers_in_summary_annexes_and_pdf(audited: dict) -> None:
    summary, text = audited["summary"], audited["text"]
    assert audited["annex_summary"]["faces"] == summary["faces"]
    assert audited["annex_summary"]["persons"] == summary["persons"]
    faces, persons = summary["faces"], summary["persons"]
    assert sum(s["records"] for s in summary["stores"]) == faces["records"]
    assert sum(s["exact_duplicates"] for s in summary["stores"]) == faces["exact_duplicates"]
    assert sum(s["deleted_recoverable"] for s in summary["stores"]) == faces["deleted_recoverable"]
    # persons table and persons.csv: every person, split as the summary splits them
    rows = audited["persons"]
    assert len(rows) == persons["listed"] == persons["distinct"] + persons["only_in_deleted"]
    live = [r for r in rows if r["status"] != "only_deleted"]
    assert Counter(r["status"] for r in live) == +Counter(persons["by_status"])
    deleted = [r for r in rows if r["status"] == "only_deleted"]
    assert Counter(r["consent_status"] for r in deleted) == +Counter(
        persons["only_in_deleted_by_status"]
    )
    # findings.csv carries the summary's counts
    assert {r["rule"]: int(r["count"]) for r in audited["findings"]} == {
        f["rule"]: f["count"] for f in summary["findings"]
    }
    # the PDF's summary page says the same
    for label, number in (
        ("人脸采集记录（人次）", faces["records"]),
        ("仅见于已删除可恢复数据的人数", persons["only_in_deleted"]),
        ("完全重复项", faces["exact_duplicates"]),
        ("已删除但可恢复的记录", faces["deleted_recoverable"]),
        ("发现的人脸数据存储", len(summary["stores"])),
    ):
        assert re.search(rf"{re.escape(label)}\s+{number}(\D|$)", text), (label, number)
    assert re.search(rf"不同自然人（人数）\s+{persons['distinct']}\D", text)
    assert f"未达到：存储人脸信息 {persons['distinct']} 人（标准 100,000 人）" in text
    assert f"{persons['listed']}（有未删除数据 {persons['distinct']} 人" in text


@pytest.mark.slow
def test_each_person_row_carries_its_venue_key_and_consent_row(audited: dict) -> None:
    consented = {}
    with CONSENT.open(encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            consented[row["访客编号"]] = f"{CONSENT.name} row {number}"
    for row in audited["persons"]:
        keys = [k.removeprefix("visitor_id=") for k in row["venue_keys"].split("; ") if k]
        assert keys, f"person {row['person_id']} has no venue key"
        matched = [consented[k] for k in keys if k in consented]
        if matched:
            assert row["consent_rows"].split("; ") == matched, row
        else:
            assert row["consent_rows"] == "" and row["consent_status"] == "no_consent", row
            assert row["consent_reason"] == "no consent row linked"
            assert row["consent_reason_zh"] == "未找到关联的同意记录"
        assert row["stores"] and row["first_seen_source"], row


@pytest.mark.slow
def test_persons_only_in_deleted_data_have_a_status(audited: dict) -> None:
    deleted = [r for r in audited["persons"] if r["status"] == "only_deleted"]
    assert deleted, "the sample holds a visitor seen only in deleted rows"
    for row in deleted:
        assert row["consent_status"] in ("no_consent", "withdrawn_retained", "expired_retained", "consented")
        assert int(row["deleted_records"]) > 0 and int(row["records"]) == 0


@pytest.mark.slow
def test_faces_csv_points_each_face_at_its_own_evidence_list_row(audited: dict) -> None:
    paths = {row["序号"]: row["路径"] for row in audited["manifest"]}
    in_the_zip = 0
    for face in audited["faces"]:
        item = face["locator"].split(", ")[0]  # a database row's item is its database file
        assert paths[face["evidence_no"]] == item, face
        in_the_zip += "daily_20240601.zip!/" in item
    assert in_the_zip == CLOUD_COPIES


@pytest.mark.slow
def test_the_cloud_copy_report_renders_with_embedded_fonts(audited: dict) -> None:
    assert all(pdf_fonts(audited["pdf"]).values())
    shares = ink_in_text_boxes(audited["pdf"], 2, "检验结论摘要")
    assert shares and all(share > 0.03 for share in shares)
    assert undrawn_chinese_characters(audited["pdf"]) == []


@pytest.mark.slow
def test_times_say_their_clock_and_how_their_offset_was_known(audited: dict) -> None:
    text = pdf_text(audited["pdf"], layout=False).replace("\n", "")
    assert "数据库字段 capture_time（原始值无时区，按 Asia/Shanghai 解释）" in text
    # a zip entry's time has no offset: shown as stored and said so, never "converted"
    assert "2024-06-01T02:00:00（压缩包条目时间，未记录时区，按原值列出）" in text
    assert {r["first_seen_offset"] for r in audited["persons"]} == {"assumed"}


@pytest.mark.slow
def test_the_zh_report_names_the_tools_identifiers_in_chinese(audited: dict) -> None:
    text = pdf_text(audited["pdf"], layout=False).replace("\n", "")
    for identifier in (
        "case.new", "acquire.start", "scan.end", "generic", "crop_detector", "merge_spreads",
        "link_threshold", "archive_members", "template_decoding", "True", "None", "规则:",
        "seed=", "photo_max_side", "subset",
    ):
        assert identifier not in text, identifier
    for words in (
        "建立案件", "扫描完成", "SQLite 数据库", "压缩包", "通用（未识别）",
        "人员聚类（dlib-resnet-v1-128）：合并阈值", "欧氏距离", "人脸特征模板解码",
        "Python 版本", "附件 findings.csv 中的规则编号 no-consent",
    ):
        assert words in text, words

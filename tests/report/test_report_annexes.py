"""The annexes beside the PDF carry every row, and sha256sum can check them without our tool."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from venue_audit.report.annexes import PERSONS_HEADERS, HashListError, read_hash_list
from venue_audit.report.model import ReportData
from venue_audit.report.render import ReportOutputs, render_report


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_summary_json_is_the_summary_exactly(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    written = json.loads(zh_report.annexes["summary.json"].read_text(encoding="utf-8"))
    assert written == sample_data.summary
    assert written["schema"] == "venue-audit.summary/1"


def test_manifest_lists_every_item_with_its_hashes_and_check(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    rows = _rows(zh_report.annexes["manifest.csv"])
    assert rows[0][:9] == [
        "序号",
        "文件名",
        "路径",
        "类型",
        "大小",
        "修改时间",
        "MD5",
        "SHA-256",
        "SM3",
    ]
    assert len(rows) - 1 == len(sample_data.evidence)
    changed = rows[4]
    assert changed[7] == sample_data.evidence[3].sha256 and changed[-1] == "mismatch"
    assert {row[-1] for row in rows[1:]} == {"match", "mismatch"}


def test_persons_csv_has_every_person_and_no_image_data(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    rows = _rows(zh_report.annexes["persons.csv"])
    assert len(rows) - 1 == len(sample_data.persons)
    assert len(rows[0]) == len(PERSONS_HEADERS)
    assert sum(int(row[2]) for row in rows[1:]) == sample_data.summary["faces"]["records"]
    assert max(len(cell) for row in rows for cell in row) < 100


def test_findings_csv_has_one_row_per_rule_with_all_locators(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    rows = _rows(zh_report.annexes["findings.csv"])
    assert [row[0] for row in rows[1:]] == [f.rule for f in sample_data.findings]
    assert len(rows[1][7].split("; ")) == len(sample_data.findings[0].locators)


def test_hash_list_checks_with_sha256sum_and_includes_the_pdf(zh_report: ReportOutputs) -> None:
    names = [name for _digest, name in read_hash_list(zh_report.hash_list)]
    assert names == [
        "summary.json",
        "manifest.csv",
        "findings.csv",
        "persons.csv",
        "manifest.xlsx",
        "findings.xlsx",
        "persons.xlsx",
        "report.pdf",
    ]
    check = subprocess.run(
        ["sha256sum", "-c", zh_report.hash_list.name],
        cwd=zh_report.hash_list.parent,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_hash_list_with_a_path_instead_of_a_name_is_rejected(tmp_path: Path) -> None:
    listing = tmp_path / "annexes.sha256"
    listing.write_text(f"{'0' * 64}  ../../etc/passwd\n", encoding="utf-8")
    with pytest.raises(HashListError):
        read_hash_list(listing)


def test_the_pdf_cannot_take_an_annex_name(tmp_path: Path, sample_data: ReportData) -> None:
    with pytest.raises(ValueError):
        render_report(sample_data, tmp_path / "summary.json")


def test_same_data_gives_byte_identical_report_and_annexes(
    tmp_path: Path, sample_data: ReportData
) -> None:
    first = render_report(sample_data, tmp_path / "a" / "report.pdf")
    second = render_report(sample_data, tmp_path / "b" / "report.pdf")
    assert first.hashes == second.hashes
    assert first.report_id == second.report_id


def test_a_case_folder_is_refused_as_the_report_folder(
    tmp_path: Path, sample_data: ReportData
) -> None:
    (tmp_path / "case.db").write_bytes(b"")
    with pytest.raises(ValueError, match="case folder"):
        render_report(sample_data, tmp_path / "report.pdf")


def test_undecodable_file_name_bytes_keep_summary_json_valid() -> None:
    from venue_audit.report.annexes import summary_bytes

    summary = {"stores": [{"path": "export/\udcff.db"}]}
    assert json.loads(summary_bytes(summary)) == summary
    assert json.loads(summary_bytes({"a": "中文"})) == {"a": "中文"}
    assert "中文" in summary_bytes({"a": "中文"}).decode("utf-8")

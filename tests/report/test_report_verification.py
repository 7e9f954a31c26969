"""A deletion verdict is part of the evidence report: summary page, summary.json, a finding
with the residue's locations, the after-state in the evidence list, and a hashed annex."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pdf_reading import pdf_text
from venue_audit.acquire import acquire
from venue_audit.assess import assess_case
from venue_audit.case import Case, CaseInfo
from venue_audit.cli import app
from venue_audit.identify import identify
from venue_audit.report.annexes import read_hash_list
from venue_audit.scan import ScanOptions, scan

SERVER_DB = Path(__file__).resolve().parents[2] / "sample_data/export/server/face_capture.db"


@pytest.fixture(scope="module")
def verified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verified")
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        crops = dict(db.execute("select visitor_id, face_img from t_face_capture order by id"))
    folder = root / "before" / "faces"
    folder.mkdir(parents=True)
    for visitor, jpeg in list(crops.items())[:3]:
        (folder / f"{visitor}.jpg").write_bytes(jpeg)
    case = Case.create(root / "case", CaseInfo("DEL-2", "venue", ["甲", "乙"]))
    acquire(case, [root / "before"], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    assess_case(case, None, None, [], "2024-06-30")  # --out reports: the case must be assessed
    case.close()
    after = root / "after"
    after.mkdir()
    visitor, jpeg = next(iter(crops.items()))
    with zipfile.ZipFile(after / "kept-backup.zip", "w") as archive:
        archive.writestr(f"faces/{visitor}.jpg", jpeg)
    result = CliRunner().invoke(
        app,
        [
            "verify-deletion", str(root / "case"), str(after),
            "--out", str(root / "report" / "report.pdf"), "--workers", "1", "--quiet",
        ],
    )
    assert result.exit_code == 1, result.output
    return root / "report"


@pytest.mark.slow
def test_the_verdict_is_in_summary_json_and_a_hashed_annex(verified: Path) -> None:
    summary = json.loads((verified / "summary.json").read_text(encoding="utf-8"))
    assert summary["verification"]["clean"] is False
    assert summary["verification"]["remaining_live"] == 1
    verdict = json.loads((verified / "verification.json").read_text(encoding="utf-8"))
    assert "kept-backup.zip!/" in verdict["residual"][0]["found_at"]
    hashes = {name: digest for digest, name in read_hash_list(verified / "annexes.sha256")}
    digest = hashlib.sha256((verified / "verification.json").read_bytes()).hexdigest()
    assert hashes["verification.json"] == digest


@pytest.mark.slow
def test_residual_data_is_a_finding_with_its_locations(verified: Path) -> None:
    summary = json.loads((verified / "summary.json").read_text(encoding="utf-8"))
    residual = next(f for f in summary["findings"] if f["rule"] == "residual-after-deletion")
    assert residual["count"] == 1 and "PIPL Art. 47" in residual["citations"]
    with (verified / "findings.csv").open(encoding="utf-8-sig") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    assert "before/faces/" in rows["residual-after-deletion"][7]


@pytest.mark.slow
def test_the_summary_page_and_evidence_list_show_the_verification(verified: Path) -> None:
    summary_page = pdf_text(verified / "report.pdf", first=2, last=2)
    assert "删除验证" in summary_page and "发现残留人脸数据" in summary_page
    text = pdf_text(verified / "report.pdf", layout=False)
    assert "残留数据位置" in text and "kept-backup.zip" in text
    with (verified / "manifest.csv").open(encoding="utf-8-sig") as handle:
        paths = [row[2] for row in csv.reader(handle)]
    assert any(p.startswith("[删除验证检材]") and "kept-backup.zip" in p for p in paths)


@pytest.mark.slow
def test_the_verification_section_and_conclusion_read_in_chinese(verified: Path) -> None:
    text = pdf_text(verified / "report.pdf", layout=False).replace("\n", "")
    assert "比对：删除前为本案的扫描结果；删除后检查的数据为" in text
    assert "内容完全相同（SHA-256）" in text and "人员 1" in text
    for english in ("baseline scan", "person 1", "exact"):
        assert english not in text, english
    # assessed without a consent register: the conclusion never claims a check against one
    assert "未提供同意记录，3 人均按未取得单独同意计" in text
    assert "经与同意记录核对" not in text


@pytest.mark.slow
def test_a_later_report_of_the_case_carries_the_same_verdict(verified: Path) -> None:
    later = verified.parent / "later" / "report.pdf"
    result = CliRunner().invoke(
        app, ["report", str(verified.parent / "case"), "--out", str(later), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert (later.parent / "verification.json").read_bytes() == (
        verified / "verification.json"
    ).read_bytes()
    names = [name for _, name in read_hash_list(later.parent / "annexes.sha256")]
    assert "verification.json" in names
    summary = json.loads((later.parent / "summary.json").read_text(encoding="utf-8"))
    assert summary["verification"]["clean"] is False
    assert "发现残留人脸数据" in pdf_text(later, first=2, last=2)

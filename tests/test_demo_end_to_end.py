"""The README's demo command: the whole audit of sample_data/, checked against its truth.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pdf_reading import (
    ink_in_text_boxes,
    pdf_fonts,
    pdf_text,
    undrawn_chinese_characters,
)

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "sample_data" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [sys.executable, "-m", "venue_audit.cli", "demo", "--out", str(out), "--quiet", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""  # --quiet: no progress, no notes
    (out / "demo-stdout.json").write_text(result.stdout, encoding="utf-8")
    return out


@pytest.mark.slow
def test_the_demo_writes_a_report_and_its_annexes(demo: Path) -> None:
    for name in (
        "demo-report.pdf",
        "summary.json",
        "manifest.csv",
        "findings.csv",
        "persons.csv",
        "annexes.sha256",
    ):
        assert (demo / name).is_file(), name
    assert (demo / "demo-report.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.slow
def test_demo_json_prints_the_summary_it_writes(demo: Path) -> None:
    printed = json.loads((demo / "demo-stdout.json").read_text(encoding="utf-8"))
    assert printed == json.loads((demo / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_demo_counts_equal_the_sample_truth(demo: Path) -> None:
    summary = json.loads((demo / "summary.json").read_text(encoding="utf-8"))
    assert summary["schema"] == "venue-audit.summary/1"
    assert summary["as_of"] == TRUTH["as_of"]
    assert summary["faces"] == TRUTH["faces"]
    assert summary["persons"]["only_in_deleted"] == TRUTH["persons"]["only_in_deleted"]
    assert summary["persons"]["by_status"] == TRUTH["persons"]["by_status"]
    assert summary["persons"]["distinct"] == TRUTH["persons"]["distinct"]
    assert sum(summary["persons"]["by_status"].values()) == summary["persons"]["distinct"]


@pytest.mark.slow
def test_the_demo_report_shows_the_summary_numbers(demo: Path) -> None:
    summary = json.loads((demo / "summary.json").read_text(encoding="utf-8"))
    text = pdf_text(demo / "demo-report.pdf")
    assert "电子数据清单" in text
    assert str(summary["faces"]["records"]) in text
    assert summary["evidence"]["manifest_sha256"] in text  # cover, summary page, evidence list
    # every glyph travels with the file: pdfium draws the Chinese on a machine with no CJK font
    assert all(pdf_fonts(demo / "demo-report.pdf").values())
    shares = ink_in_text_boxes(demo / "demo-report.pdf", 2, "检验结论摘要")
    assert shares and all(share > 0.03 for share in shares)
    assert undrawn_chinese_characters(demo / "demo-report.pdf") == []  # every page, every one
    assert "DEMO-2024-001" in text
    assert f"{summary['persons']['distinct']}" in text


@pytest.mark.slow
def test_the_demo_report_states_the_persons_interval_and_lower_bound_with_checkable_annexes(
    demo: Path,
) -> None:
    persons = json.loads((demo / "summary.json").read_text(encoding="utf-8"))["persons"]
    low, high = persons["interval"]
    assert persons["lower_bound"] <= low <= persons["distinct"] <= high
    assert persons["lower_bound"] <= TRUTH["persons"]["distinct"] <= high
    text = "".join(pdf_text(demo / "demo-report.pdf").split())
    assert f"真实人数应在{low}至{high}人之间，且至少为{persons['lower_bound']}人" in text
    listed = (demo / "annexes.sha256").read_text(encoding="utf-8")
    assert "faces.csv" in listed and "contact-sheet-person-" in listed
    assert not (demo / "sealed").exists()  # unblurred sheets only on request


@pytest.mark.slow
def test_a_signed_report_verifies_and_a_changed_byte_fails(
    demo: Path, tmp_path: Path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from venue_audit.cli import app
    from venue_audit.report.sign import make_self_signed_p12

    p12 = tmp_path / "examiner.p12"
    make_self_signed_p12(p12, "示例检查员甲", b"secret")
    monkeypatch.setenv("VENUE_AUDIT_P12_PASSWORD", "secret")
    pdf = tmp_path / "signed" / "report.pdf"
    runner = CliRunner()
    made = runner.invoke(
        app, ["report", str(demo / "demo-case"), "--out", str(pdf), "--sign", str(p12)]
    )
    assert made.exit_code == 0, made.output
    checked = runner.invoke(app, ["verify-report", str(pdf), "--require-signature"])
    assert checked.exit_code == 0, checked.output
    assert "intact" in checked.output
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    assert runner.invoke(app, ["verify-report", str(pdf)]).exit_code == 3


@pytest.mark.slow
def test_the_same_inputs_and_as_of_date_give_an_identical_summary(tmp_path: Path) -> None:
    from venue_audit.audit import AuditRequest, audit
    from venue_audit.case import CaseInfo

    sample = ROOT / "sample_data"
    summaries = []
    for name in ("first", "second"):
        request = AuditRequest(
            sources=[sample / "export"],
            case_dir=tmp_path / name,
            case_info=CaseInfo("SAME-1", "venue", ["甲", "乙"]),
            consent_log=sample / "consent" / "到访登记同意书.csv",
            policy=sample / "policy.toml",
            as_of="2024-06-30",
            summary_json=tmp_path / f"{name}.json",
            workers=1,
        )
        audit(request)
        summaries.append((tmp_path / f"{name}.json").read_bytes())
    assert summaries[0] == summaries[1]


@pytest.fixture(scope="module")
def exported(demo: Path) -> dict:
    command = ["export", str(demo / "demo-case"), "--out", str(demo / "exports"), "--json"]
    result = subprocess.run(
        [sys.executable, "-m", "venue_audit.cli", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


# plaso/output/l2t_csv.py: L2TCSVOutputModule._FIELD_NAMES, written as its header
PLASO_L2T_HEADER = (
    "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,"
    "version,filename,inode,notes,format,extra"
)
STORED_RECORDS = (
    TRUTH["faces"]["records"]
    + TRUTH["faces"]["exact_duplicates"]
    + TRUTH["faces"]["deleted_recoverable"]
)


@pytest.mark.slow
def test_the_timeline_follows_plaso_l2tcsv_conventions(exported: dict) -> None:
    import csv
    import re
    from datetime import datetime

    lines = Path(exported["files"]["timeline.l2t.csv"]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == PLASO_L2T_HEADER
    assert all(line.count(",") == 16 for line in lines)  # plaso: only the 16 delimiters
    rows = list(csv.DictReader(lines))
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["date"]) for r in rows)
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", r["time"]) for r in rows)
    assert {r["timezone"] for r in rows} == {"Asia/Shanghai"}
    assert {r["version"] for r in rows} == {"2"}
    assert all(r[field] for r in rows for field in r)  # plaso writes "-" for empty fields
    moments = [datetime.strptime(f"{r['date']} {r['time']}", "%m/%d/%Y %H:%M:%S") for r in rows]
    assert moments == sorted(moments)
    faces = [r for r in rows if r["source"] == "FACE"]
    # every stored capture record is an event, or counted as having no capture time
    assert len(faces) + exported["undated_records"] == STORED_RECORDS
    assert {r["type"] for r in faces} == {"Capture Time"}
    uploads = [r for r in rows if r["source"] == "LOG" and r["type"] == "Upload Time"]
    assert uploads and all("oss://" in r["short"] for r in uploads)


@pytest.mark.slow
def test_the_jsonl_timeline_has_what_timesketch_requires(exported: dict) -> None:
    from datetime import datetime

    path = Path(exported["files"]["timeline.jsonl"])
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(events) == exported["timeline_events"]
    for event in events:
        assert event["message"] and event["timestamp_desc"]
        moment = datetime.fromisoformat(event["datetime"])
        assert moment.utcoffset() is not None
        assert event["timestamp"] == int(moment.timestamp() * 1_000_000)


@pytest.mark.slow
def test_every_csv_annex_has_an_xlsx_with_the_same_rows(demo: Path) -> None:
    import csv

    import openpyxl

    listed = (demo / "annexes.sha256").read_text(encoding="utf-8")
    csv_files = sorted(demo.glob("*.csv"))
    assert {p.name for p in csv_files} >= {"manifest.csv", "findings.csv", "persons.csv"}
    for source in csv_files:
        workbook = source.with_suffix(".xlsx")
        assert workbook.name in listed
        with source.open(encoding="utf-8-sig", newline="") as handle:
            expected = list(csv.reader(handle))
        sheet = openpyxl.load_workbook(workbook, read_only=True).active
        got = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        assert got == expected, source.name


@pytest.mark.slow
def test_the_case_uco_provenance_validates_with_case_utils(exported: dict, demo: Path) -> None:
    case_validate = pytest.importorskip("case_utils.case_validate", reason="case-utils (dev extra)")
    import sqlite3

    path = exported["files"]["case-uco.jsonld"]
    result = case_validate.validate(path, allow_infos=True)  # SM3 is outside UCO's hash vocabulary
    assert result.conforms, result.text
    graph = json.loads(Path(path).read_text(encoding="utf-8"))["@graph"]
    hashes = {
        h["uco-types:hashValue"]["@value"]
        for node in graph
        if node["@type"] == "uco-observable:File"
        for facet in node["uco-core:hasFacet"]
        for h in facet.get("uco-observable:hash", [])
        if h["uco-types:hashMethod"] == "SHA256"
    }
    with sqlite3.connect(demo / "demo-case" / "case.db") as db:
        acquired = {
            r[0]
            for r in db.execute("select sha256 from evidence where current = 1 and entry = 'file'")
        }
    assert acquired <= hashes
    actions = {
        n["uco-core:name"] for n in graph if n["@type"] == "case-investigation:InvestigativeAction"
    }
    assert actions == {"acquired", "examined"}

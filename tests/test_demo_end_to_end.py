"""The README's demo command: the whole audit of sample_data/, checked against its truth.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pdf_reading import ink_in_text_boxes, pdf_fonts, pdf_text

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "sample_data" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [sys.executable, "-m", "venue_audit.cli", "demo", "--out", str(out), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
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
    assert "DEMO-2024-001" in text
    assert f"{summary['persons']['distinct']}" in text


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

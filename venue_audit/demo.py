"""The demo: the whole tool on the bundled sample venue export, in one call."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from venue_audit.audit import AuditRequest, AuditResult, StageCallback, audit
from venue_audit.case import CaseInfo

DEMO_CASE = "demo-case"
DEMO_PDF = "demo-report.pdf"


@dataclass
class DemoResult:
    audit: AuditResult
    pdf: Path
    summary_json: Path


def find_sample_data() -> Path:
    """sample_data/ of the current folder, else the one beside the package (a source checkout)."""
    for candidate in (
        Path.cwd() / "sample_data",
        Path(__file__).resolve().parents[1] / "sample_data",
    ):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("sample_data/ not found; run the demo from the repository root")


def run_demo(
    sample_data: Path | None,
    out: Path,
    on_stage: StageCallback | None = None,
    command: list[str] | None = None,
) -> DemoResult:
    sample = sample_data or find_sample_data()
    out.mkdir(parents=True, exist_ok=True)
    case_dir = out / DEMO_CASE
    if case_dir.exists():
        shutil.rmtree(case_dir)
    pdf = out / DEMO_PDF
    summary_json = out / "summary.json"
    request = AuditRequest(
        sources=[sample / "export"],
        case_dir=case_dir,
        case_info=CaseInfo(
            case_no="DEMO-2024-001",
            venue="示例售楼处 (sample sales office)",
            examiners=["示例检查员甲", "示例检查员乙"],
            org="示例检察院 (sample procuratorate)",
            title="售楼处未经同意采集人脸信息 (demo)",
        ),
        consent_log=next((sample / "consent").glob("*.csv"), None),
        policy=sample / "policy.toml",
        report_pdf=pdf,
        summary_json=summary_json,
    )
    return DemoResult(audit(request, on_stage, command), pdf, summary_json)

"""The demo: the whole tool on the bundled sample venue export, in one call."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from venue_audit.audit import (
    AuditRequest,
    AuditResult,
    ProgressCallback,
    StageCallback,
    audit,
    audit_outputs,
)
from venue_audit.case import CaseInfo
from venue_audit.case.output_paths import refuse_overlap
from venue_audit.errors import UsageError
from venue_audit.preflight import require_output_folder, require_sources

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
    raise UsageError("sample_data/ not found; run the demo from the repository root")


def run_demo(
    sample_data: Path | None,
    out: Path,
    on_stage: StageCallback | None = None,
    command: list[str] | None = None,
    progress: ProgressCallback | None = None,
) -> DemoResult:
    sample = sample_data or find_sample_data()
    require_sources([sample / "export"])  # checked before the old demo case is cleared
    require_output_folder(out, "--out")
    case_dir = out / DEMO_CASE
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
            commissioned_at="2024-06-20",
            place="示例检察技术实验室 (sample lab)",
            material_source="售楼处物业经理导出人脸抓拍服务器数据库、上传日志、NVR 截图及云端备份压缩包"
            "至只读移动硬盘，当场计算哈希并封存，封存编号 DEMO-SEAL-01",
            handover_at="2024-06-21T10:00:00+08:00",
            requirements="查明存储的人脸信息数量（人次、人数）、是否取得单独同意、是否传输至场所以外",
            witnesses=["示例见证人"],
            holder="示例持有人（物业经理）",
        ),
        consent_log=next((sample / "consent").glob("*.csv"), None),
        policy=sample / "policy.toml",
        report_pdf=pdf,
        summary_json=summary_json,
    )
    # the old demo case is removed, so the outputs are checked first: never rmtree evidence
    refuse_overlap(audit_outputs(request), request.sources)
    out.mkdir(parents=True, exist_ok=True)
    if case_dir.exists():
        shutil.rmtree(case_dir)
    return DemoResult(audit(request, on_stage, command, progress), pdf, summary_json)

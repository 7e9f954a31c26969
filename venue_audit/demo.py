"""The demo: the whole tool on the bundled sample venue export, in one call."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from venue_audit import acquire as acquisition
from venue_audit.case import Case, CaseInfo

DEMO_CASE = "demo-case"


@dataclass
class DemoResult:
    case_dir: Path
    manifest: list[dict[str, Any]]
    outputs: dict[str, Path]


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
    sample_data: Path | None, out: Path, progress_console: Console | None = None
) -> DemoResult:
    sample_data = sample_data or find_sample_data()
    out.mkdir(parents=True, exist_ok=True)
    case_dir = out / DEMO_CASE
    if case_dir.exists():
        shutil.rmtree(case_dir)
    case = Case.create(
        case_dir,
        CaseInfo(
            case_no="DEMO-2025-001",
            venue="示例售楼处 (sample sales office)",
            examiners=["示例检查员甲", "示例检查员乙"],
            org="示例检察院 (sample procuratorate)",
            title="售楼处未经同意采集人脸信息 (demo)",
        ),
    )
    acquisition.acquire(case, [sample_data])
    outputs = acquisition.export_manifest(case)
    return DemoResult(case_dir, acquisition.exports.manifest_rows(case), dict(outputs))

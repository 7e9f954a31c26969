"""Shared helpers for the report tests: render once, read the PDF back with poppler."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from report_samples import make_report_data

from venue_audit.report.model import ReportData
from venue_audit.report.render import ReportOutputs, render_report


def pdf_text(
    pdf: Path, layout: bool = True, first: int | None = None, last: int | None = None
) -> str:
    command = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        command.append("-layout")
    if first is not None:
        command += ["-f", str(first)]
    if last is not None:
        command += ["-l", str(last)]
    return subprocess.run([*command, str(pdf), "-"], capture_output=True, check=True).stdout.decode(
        "utf-8"
    )


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def line_with(text: str, label: str) -> str:
    """The lines of pdftotext -layout output holding ``label`` (table rows), joined."""
    lines = [line for line in text.splitlines() if label in line]
    if not lines:
        raise AssertionError(f"{label!r} not found in the PDF text")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def sample_data() -> ReportData:
    return make_report_data()


@pytest.fixture(scope="session")
def zh_report(tmp_path_factory: pytest.TempPathFactory, sample_data: ReportData) -> ReportOutputs:
    return render_report(sample_data, tmp_path_factory.mktemp("zh") / "report.pdf", lang="zh")

"""Shared helpers for the report tests: render once, read the PDF back with pypdf / pdfium."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from report_samples import make_report_data

from tests.pdf_reading import line_with, pdf_pages, pdf_text  # noqa: F401 - re-exported
from venue_audit.report.model import ReportData
from venue_audit.report.render import ReportOutputs, render_report


@pytest.fixture(scope="session")
def sample_data() -> ReportData:
    return make_report_data()


@pytest.fixture(scope="session")
def zh_report(tmp_path_factory: pytest.TempPathFactory, sample_data: ReportData) -> ReportOutputs:
    return render_report(sample_data, tmp_path_factory.mktemp("zh") / "report.pdf", lang="zh")

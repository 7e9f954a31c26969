"""The evidence report: PDF (zh / en / zh+en), charts, redaction, annexes, signature.

``load_report_data(case, as_of)`` gathers what the report shows from ``case.db``;
``render_report(data, out_pdf)`` writes the PDF and its annexes;
``verify_report(pdf)`` checks the signature and the annex hashes;
``report_case(case, out_pdf)`` does load + render + custody event in one call.
"""

from venue_audit.report.case_report import report_case
from venue_audit.report.load import load_report_data
from venue_audit.report.model import ReportData
from venue_audit.report.render import ReportOutputs, render_report
from venue_audit.report.sign import VerificationResult, verify_report

__all__ = [
    "ReportData",
    "ReportOutputs",
    "VerificationResult",
    "load_report_data",
    "render_report",
    "report_case",
    "verify_report",
]

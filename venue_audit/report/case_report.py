"""Report on a case in one call: load, render, sign, and record it in the custody log.

This is what ``venue-audit report`` runs. The custody event is written after
the report, so the report's own custody table ends with the event before it;
the event records the report id and the SHA-256 of the PDF and every annex,
which ties the files on disk back to the case.
"""

from __future__ import annotations

from pathlib import Path

from venue_audit.assess import judge_deletion
from venue_audit.case import Case
from venue_audit.case.integrity import require_intact
from venue_audit.case.lock import writes_case
from venue_audit.case.output_paths import FilesInFolder, Output, case_evidence, refuse_overlap
from venue_audit.case.workspace import SELF_AUDIT
from venue_audit.report import annexes
from venue_audit.report.evidence_images import evidence_thumbnail_source
from venue_audit.report.load import ThumbnailSource, load_report_data
from venue_audit.report.model import VerificationSection
from venue_audit.report.person_annexes import (
    FACES_NAME,
    SEALED_DIR,
    SHEET_PREFIX,
    write_person_annexes,
)
from venue_audit.report.render import ReportOutputs, render_report
from venue_audit.user_files import require_regular_file


def report_output_paths(out_pdf: Path) -> list[Output]:
    """The PDF and every file written beside it, as the output-path check wants them."""
    from venue_audit.remediation.report_section import LIST_NAME

    out_pdf = Path(out_pdf)
    tables = (annexes.MANIFEST_NAME, annexes.FINDINGS_NAME, annexes.PERSONS_NAME, FACES_NAME)
    names = (
        annexes.SUMMARY_NAME,
        annexes.VERIFICATION_NAME,
        annexes.HASH_LIST_NAME,
        *tables,
        *(Path(name).with_suffix(".xlsx").name for name in tables),  # the Excel copies
        f"{SHEET_PREFIX}*.png",
        SEALED_DIR,
        f"{LIST_NAME}.csv",
        f"{LIST_NAME}.xlsx",
        f"{LIST_NAME}-*.sql",
    )
    return [("the report", out_pdf), FilesInFolder("the report's annexes", out_pdf.parent, names)]


@writes_case
def report_case(
    case: Case,
    out_pdf: Path,
    *,
    as_of: str | None = None,
    lang: str = "zh",
    redact: bool = True,
    sign_p12: Path | None = None,
    p12_password: bytes | None = None,
    rehash: bool = True,
    thumbnails: bool = True,
    thumbnail_source: ThumbnailSource | None = None,
    verification: VerificationSection | None = None,
    font_file: Path | None = None,
    command: list[str] | None = None,
    sealed_contact_sheets: bool = False,
) -> ReportOutputs:
    """Write the report and annexes into ``out_pdf``'s folder; log a ``report`` custody event.

    Refused before anything is written when the case database no longer matches its custody
    log (:class:`IntegrityError`) or an output would land in the evidence (``UsageError``).
    """
    refuse_overlap(report_output_paths(out_pdf), case_evidence(case.db))
    if sign_p12 is not None:
        require_regular_file(sign_p12, "PKCS#12 certificate")
    require_intact(case)
    judge_deletion(case, command)  # the latest deletion verdict as a finding
    if thumbnail_source is None and thumbnails:
        thumbnail_source = evidence_thumbnail_source(case)
    data = load_report_data(
        case, as_of, rehash=rehash, thumbnail_source=thumbnail_source, verification=verification
    )
    extra = write_person_annexes(case, Path(out_pdf).parent, thumbnail_source, sealed_contact_sheets)
    if case.info.purpose == SELF_AUDIT:
        from venue_audit.remediation.report_section import self_audit_annexes, self_audit_section

        data.self_audit = self_audit_section(case, data.summary, command)
        extra.update(self_audit_annexes(case, Path(out_pdf).parent, lang))
    outputs = render_report(
        data,
        out_pdf,
        lang=lang,
        redact=redact,
        sign_p12=sign_p12,
        p12_password=p12_password,
        font_file=font_file,
        extra_annexes=extra,
    )
    mismatched = [item.path for item in data.evidence if item.integrity == "mismatch"]
    case.log(
        "report",
        {
            "report_id": outputs.report_id,
            "pdf": str(outputs.pdf.resolve()),
            "pages": outputs.pages,
            "lang": lang,
            "redacted": redact,
            "signed": outputs.signed,
            "as_of": data.case.as_of,
            "font": outputs.fonts.source,
            "sha256": outputs.hashes,
            "integrity_mismatches": mismatched[:100],
        },
        command,
    )
    return outputs

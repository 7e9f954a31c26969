"""Write the report: annexes first, then the PDF that names their hashes, then the signature.

The order matters. The PDF lists the SHA-256 of each annex and carries the
hash of summary.json in every footer, so the annexes must exist before it is
laid out; the PDF's own hash can only be known after it is signed, so
``annexes.sha256`` (which lists the PDF too) is written last.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

from venue_audit.exports.xlsx import xlsx_beside
from venue_audit.report import annexes, i18n, rules
from venue_audit.report.fonts import ReportFonts, register_fonts
from venue_audit.report.model import ReportData
from venue_audit.report.pdf import PdfOptions, build_pdf
from venue_audit.report.sign import sign_pdf


@dataclass
class ReportOutputs:
    pdf: Path
    annexes: dict[str, Path]
    hash_list: Path
    hashes: dict[str, str]
    report_id: str
    summary_sha256: str
    pages: int
    signed: bool
    fonts: ReportFonts
    notes: list[str] = field(default_factory=list)


def report_id_for(case_no: str, as_of: str, summary_sha256: str) -> str:
    """Stable for the same case, date and numbers; changes when any number changes."""
    safe_case = re.sub(r"[^\w.-]+", "-", case_no).strip("-") or "case"
    return f"{safe_case}-{(as_of or 'undated')[:10]}-{summary_sha256[:8]}"


def report_characters(data: ReportData) -> str:
    """Every character the report can draw: its data, every wording and every citation.

    The font is cut down to these; a superset costs a few glyphs, a miss a blank.
    """
    seen: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            seen.update(value)
        elif isinstance(value, bytes | bytearray):
            return
        elif is_dataclass(value) and not isinstance(value, type):
            for item in fields(value):
                walk(getattr(value, item.name))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                walk(item)
        elif value is not None:
            seen.update(str(value))

    walk(data)
    walk(i18n.all_wordings())
    walk(rules.all_wordings())
    return "".join(sorted(seen))


def render_report(
    data: ReportData,
    out_pdf: Path,
    lang: str = "zh",
    redact: bool = True,
    sign_p12: Path | None = None,
    p12_password: bytes | None = None,
    font_file: str | Path | None = None,
    options: dict[str, int] | None = None,
    extra_annexes: dict[str, Path] | None = None,
) -> ReportOutputs:
    """Write ``out_pdf`` and its annexes beside it; sign when a PKCS#12 is given.

    ``options`` overrides the top-N caps of :class:`PdfOptions` (``max_persons_rows`` ...);
    ``font_file`` chooses a TrueType font instead of the bundled Noto Sans SC.
    """
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown report language {lang!r}; choose one of {', '.join(i18n.LANGS)}")
    out_pdf = Path(out_pdf)
    directory = out_pdf.parent
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "case.db").exists():
        raise ValueError(
            f"{directory} is a case folder: the annexes (manifest.csv ...) would overwrite its own "
            "files; write the report into a folder of its own, e.g. CASE/report/report.pdf"
        )
    if out_pdf.name in {
        annexes.SUMMARY_NAME,
        annexes.MANIFEST_NAME,
        annexes.FINDINGS_NAME,
        annexes.PERSONS_NAME,
        annexes.VERIFICATION_NAME,
        annexes.HASH_LIST_NAME,
    }:
        raise ValueError(f"{out_pdf.name} is the name of an annex; choose another name for the PDF")
    # A font that cannot be embedded is refused before anything is written.
    fonts = register_fonts(report_characters(data), font_file)
    written = {
        annexes.SUMMARY_NAME: directory / annexes.SUMMARY_NAME,
        annexes.MANIFEST_NAME: directory / annexes.MANIFEST_NAME,
        annexes.FINDINGS_NAME: directory / annexes.FINDINGS_NAME,
        annexes.PERSONS_NAME: directory / annexes.PERSONS_NAME,
    }
    verdict = data.verification.raw if data.verification is not None else None
    if verdict:
        written[annexes.VERIFICATION_NAME] = directory / annexes.VERIFICATION_NAME
        annexes.write_json(verdict, written[annexes.VERIFICATION_NAME])
    annexes.write_summary(data.summary, written[annexes.SUMMARY_NAME])
    annexes.write_manifest(data.evidence, written[annexes.MANIFEST_NAME])
    annexes.write_findings(data.findings, written[annexes.FINDINGS_NAME])
    annexes.write_persons(data.persons, written[annexes.PERSONS_NAME])
    written.update(extra_annexes or {})  # written by the caller (faces.csv, contact sheets)
    # an XLSX copy beside every CSV annex, for examiners who work in Excel or WPS
    written.update(
        xlsx_beside(
            [
                p for n, p in list(written.items())
                if n.endswith(".csv") and n.removesuffix(".csv") + ".xlsx" not in written
            ]
        )
    )
    annex_hashes = {name: annexes.file_sha256(path) for name, path in written.items()}
    summary_sha256 = hashlib.sha256(annexes.summary_bytes(data.summary)).hexdigest()
    report_id = report_id_for(data.case.case_no, data.case.as_of, summary_sha256)
    pdf_options = PdfOptions(
        fonts=fonts,
        report_id=report_id,
        summary_sha256=summary_sha256,
        lang=lang,
        redact=redact,
        signed=sign_p12 is not None,
        annex_hashes=annex_hashes,
        **(options or {}),
    )
    pages = build_pdf(data, out_pdf, pdf_options)
    notes = []
    if fonts.missing:
        notes.append(f"the font has no glyph for {len(fonts.missing)} character(s): {fonts.missing!r}")
    signed = False
    if sign_p12 is not None:
        sign_pdf(out_pdf, sign_p12, p12_password, reason=f"{report_id}", location=data.case.place)
        signed = True
    hash_list = directory / annexes.HASH_LIST_NAME
    hashes = annexes.write_hash_list(directory, [*written, out_pdf.name], hash_list)
    return ReportOutputs(
        pdf=out_pdf,
        annexes=written,
        hash_list=hash_list,
        hashes=hashes,
        report_id=report_id,
        summary_sha256=summary_sha256,
        pages=pages,
        signed=signed,
        fonts=fonts,
        notes=notes,
    )

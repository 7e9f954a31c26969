"""Lay out the report as a PDF with reportlab platypus.

Section order follows the checklist in research/anchors.md §B7: cover and
examination record, one-page summary, 电子数据清单 and integrity table, method,
findings, charts, persons, skipped items, deletion verification, custody log,
annexes, law annex, signatures. Tables are capped (top-N) so a 28,000-record case
stays a readable document; every capped table says which annex holds the rest.
The sections live in pdf_front, pdf_evidence, pdf_findings and pdf_closing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from venue_audit.report import i18n
from venue_audit.report.layout import (
    CONTENT_WIDTH,
    GRID,
    MARGIN,
    PAGE_WIDTH,
    PdfOptions,
    printable,
)
from venue_audit.report.model import ReportData
from venue_audit.report.pdf_closing import ClosingPages
from venue_audit.report.pdf_evidence import EvidencePages
from venue_audit.report.pdf_findings import FindingPages
from venue_audit.report.pdf_front import FrontPages

__all__ = ["PdfOptions", "build_pdf"]

def build_pdf(data: ReportData, target: Path, options: PdfOptions) -> int:
    """Write the PDF to ``target``; returns the number of pages."""
    layout = _layout_for(data)(data, options)
    pages: list[int] = []
    document = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 8 * mm,
        title=printable(f"{layout.t('report_title')} {data.case.case_no}"),
        author=printable(", ".join(data.case.examiners)),
        subject=printable(options.report_id),
        creator=f"{data.methodology.tool_name} {data.methodology.tool_version}",
        invariant=True,
        initialFontName=options.fonts.regular,
    )
    document.build(layout.story(), canvasmaker=_footer_canvas(options, pages))
    return pages[0] if pages else 0


def _footer_canvas(options: PdfOptions, pages: list[int]) -> type[Canvas]:
    """A canvas that holds every page until the end so the footer can say 共 y 页."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # reportlab's default initial font is Helvetica, a standard font it never
            # embeds: start every page in the report's own (embedded) font instead.
            kwargs["initialFontName"] = options.fonts.regular
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            pages.append(total)
            for number, state in enumerate(self._held_pages, 1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                super().showPage()
            super().save()

        def _draw_footer(self, number: int, total: int) -> None:
            fonts = options.fonts
            self.saveState()
            self.setStrokeColor(GRID)
            self.setLineWidth(0.5)
            self.line(MARGIN, MARGIN + 4 * mm, PAGE_WIDTH - MARGIN, MARGIN + 4 * mm)
            self.setFont(fonts.regular, 8)
            self.drawCentredString(
                PAGE_WIDTH / 2,
                MARGIN,
                i18n.text("footer_page", options.lang, page=number, total=total),
            )
            identity = i18n.labelled(
                i18n.text("report_id", options.lang), printable(options.report_id), options.lang
            )
            digest = f"summary.json SHA-256: {options.summary_sha256}"
            # Side by side when they fit, else on two lines: a long case number must not
            # run into the hash.
            side_by_side = (
                stringWidth(identity, fonts.regular, 6.5) + stringWidth(digest, fonts.mono, 6)
                < CONTENT_WIDTH - 12
            )
            self.setFont(fonts.regular, 6.5)
            self.drawString(MARGIN, MARGIN - 3.5 * mm, identity)
            self.setFont(fonts.mono, 6)
            if side_by_side:
                self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 3.5 * mm, digest)
            else:
                self.drawString(MARGIN, MARGIN - 6.5 * mm, digest)
            self.restoreState()

    return FooterCanvas


class _Layout(FrontPages, EvidencePages, FindingPages, ClosingPages):
    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        for section in self.sections():
            story.extend(section())
        return story

    def sections(self) -> tuple[Callable[[], list[Flowable]], ...]:
        return (
            self.cover,
            self.summary,
            self.evidence,
            self.method,
            self.findings,
            self.charts,
            self.persons,
            self.skipped,
            self.verification,
            self.custody,
            self.annexes,
            self.conclusion,
            self.signatures,
        )


def _layout_for(data: ReportData) -> type[_Layout]:
    """The examination report, or its self-audit variant for a business's own case."""
    if data.case.purpose == "self-audit":
        from venue_audit.report.pdf_self_audit import SelfAuditLayout

        return SelfAuditLayout
    return _Layout

"""Lay out the report as a PDF with reportlab platypus.

Section order follows the checklist in research/anchors.md §B7: cover, one-page
summary, 电子数据清单 and integrity table, method, findings, charts, persons,
skipped items, deletion verification, custody log, annexes, signatures. Tables
are capped (top-N) so a 28,000-record case stays a readable document; every
capped table says which annex holds the rest.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from venue_audit.report import charts, i18n, rules
from venue_audit.report.fonts import ReportFonts
from venue_audit.report.model import PERSON_STATUSES, FindingSection, LogEvent, ReportData
from venue_audit.report.redact import ThumbnailError, make_thumbnail

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#e4e9f0")
ALERT = colors.HexColor("#b00020")


@dataclass
class PdfOptions:
    """How to render: language, redaction, fonts, the footer's ids, and the top-N caps."""

    fonts: ReportFonts
    report_id: str
    summary_sha256: str
    lang: str = "zh"
    redact: bool = True
    annex_hashes: dict[str, str] = field(default_factory=dict)
    max_evidence_rows: int = 300
    max_integrity_matches: int = 50
    max_persons_rows: int = 50
    max_stores_rows: int = 100
    max_locators: int = 10
    max_person_ids: int = 30
    max_thumbnails: int = 6
    max_skipped_rows: int = 100
    max_custody_rows: int = 500
    max_command_chars: int = 400


def build_pdf(data: ReportData, target: Path, options: PdfOptions) -> int:
    """Write the PDF to ``target``; returns the number of pages."""
    layout = _Layout(data, options)
    pages: list[int] = []
    document = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 8 * mm,
        title=printable(f"{i18n.text('report_title', options.lang)} {data.case.case_no}"),
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
            identity = f"{i18n.text('report_id', options.lang)}: {printable(options.report_id)}"
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


class _Layout:
    def __init__(self, data: ReportData, options: PdfOptions) -> None:
        self.data = data
        self.options = options
        self.lang = options.lang
        font = self.font = options.fonts.regular
        # CJK wrapping breaks lines between any two characters, which Chinese needs and
        # English words do not; table cells keep it for long paths without spaces.
        prose_wrap = None if self.lang == "en" else "CJK"
        self.body = ParagraphStyle(
            "body", fontName=font, fontSize=9, leading=13, wordWrap=prose_wrap
        )
        self.small = ParagraphStyle("small", parent=self.body, fontSize=7.5, leading=10)
        self.cell = ParagraphStyle(
            "cell", parent=self.body, fontSize=7.5, leading=9.5, wordWrap="CJK"
        )
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, wordWrap=prose_wrap)
        self.mono = ParagraphStyle("mono", fontName=options.fonts.mono, fontSize=6.3, leading=7.8)
        self.title = ParagraphStyle(
            "title",
            fontName=font,
            fontSize=20,
            leading=28,
            alignment=TA_CENTER,
            wordWrap=prose_wrap,
            spaceAfter=6,
        )
        self.subtitle = ParagraphStyle("subtitle", parent=self.title, fontSize=11, leading=16)
        self.h1 = ParagraphStyle(
            "h1",
            fontName=font,
            fontSize=15,
            leading=20,
            spaceBefore=4,
            spaceAfter=8,
            textColor=colors.HexColor("#1d3557"),
            wordWrap=prose_wrap,
        )
        self.h2 = ParagraphStyle(
            "h2",
            fontName=font,
            fontSize=11.5,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.HexColor("#1d3557"),
            wordWrap=prose_wrap,
        )
        self.big = ParagraphStyle("big", parent=self.body, fontSize=11, leading=15)

    def t(self, key: str, **values: object) -> str:
        return i18n.text(key, self.lang, **values)

    def p(self, value: object, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(_safe(str(value)).replace("\n", "<br/>"), style or self.body)

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        for section in (
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
            self.signatures,
        ):
            story.extend(section())
        return story

    # -- sections ---------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        case = self.data.case
        period = " — ".join(v for v in (case.period_start, case.period_end) if v)
        rows = [
            (self.t("case_title"), case.title),
            (self.t("case_no"), case.case_no),
            (self.t("org"), case.org),
            (self.t("venue"), case.venue),
            (self.t("place"), case.place),
            (
                self.t("examiners"),
                "、".join(case.examiners) if self.lang != "en" else ", ".join(case.examiners),
            ),
            (self.t("period"), period),
            (self.t("tz"), case.tz),
            (self.t("as_of"), case.as_of),
            (self.t("report_id"), self.options.report_id),
            (
                self.t("tool"),
                f"{self.data.methodology.tool_name} {self.data.methodology.tool_version}",
            ),
        ]
        table = self.table(
            [[self.p(k), self.p(v or "—")] for k, v in rows if k],
            [CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.7],
            header=False,
        )
        return [
            Spacer(1, 40 * mm),
            Paragraph(
                _safe(i18n.STRINGS["report_title"][0])
                if self.lang != "en"
                else _safe(i18n.STRINGS["report_title"][1]),
                self.title,
            ),
            *(
                [self.p(i18n.STRINGS["report_title"][1], self.subtitle)]
                if self.lang == "zh+en"
                else []
            ),
            Spacer(1, 18 * mm),
            table,
            *self.examiner_notice(),
            *self.sealed_notice(),
            PageBreak(),
        ]

    def examiner_notice(self) -> list[Flowable]:
        """Two examiners are required (法发〔2016〕22号 Art. 14; MPS rules Art. 6): say so if not."""
        if len(self.data.case.examiners) >= 2:
            return []
        style = ParagraphStyle("examiners", parent=self.big, textColor=ALERT, alignment=TA_CENTER)
        return [Spacer(1, 6 * mm), self.p(self.t("too_few_examiners"), style)]

    def sealed_notice(self) -> list[Flowable]:
        if self.options.redact:
            return []
        style = ParagraphStyle("sealed", parent=self.big, textColor=ALERT, alignment=TA_CENTER)
        return [
            Spacer(1, 10 * mm),
            self.p(self.t("sealed_notice"), style),
        ]

    def summary(self) -> list[Flowable]:
        summary = self.data.summary
        faces = summary.get("faces", {})
        persons = summary.get("persons", {})
        evidence = summary.get("evidence", {})
        distinct = str(persons.get("distinct", 0))
        if self.data.persons_band is not None:
            low, high = self.data.persons_band
            distinct += (
                f"（{self.t('band')} {low}–{high}）"
                if self.lang != "en"
                else f" ({self.t('band')} {low}–{high})"
            )
        numbers = [
            (self.t("records"), faces.get("records", 0)),
            (self.t("distinct"), distinct),
            (self.t("only_deleted"), persons.get("only_in_deleted", 0)),
            (self.t("face_images"), faces.get("face_images", 0)),
            (self.t("faces_in_images"), faces.get("faces_in_images", 0)),
            (self.t("face_templates"), faces.get("face_templates", 0)),
            (self.t("video_frames"), faces.get("video_frames_with_faces", 0)),
            (self.t("exact_duplicates"), faces.get("exact_duplicates", 0)),
            (self.t("deleted_recoverable"), faces.get("deleted_recoverable", 0)),
            (self.t("stores_found"), len(summary.get("stores", []))),
            (self.t("evidence_files"), evidence.get("files", 0)),
            (self.t("evidence_bytes"), evidence.get("bytes", 0)),
            *(
                [(self.t("skipped_count"), summary["skipped"])]
                if isinstance(summary.get("skipped"), int)
                else []
            ),
        ]
        half = CONTENT_WIDTH * 0.5
        key_numbers = self.table(
            [[self.p(self.t("item"), self.cell_head), self.p(self.t("value"), self.cell_head)]]
            + [[self.p(k, self.cell), self.p(v, self.cell)] for k, v in numbers],
            [half * 1.25, half * 0.75],
        )
        by_status = persons.get("by_status", {})
        status_table = self.table(
            [[self.p(self.t("status"), self.cell_head), self.p(self.t("count"), self.cell_head)]]
            + [
                [
                    self.p(i18n.status_label(s, self.lang), self.cell),
                    self.p(by_status.get(s, 0), self.cell),
                ]
                for s in PERSON_STATUSES
            ],
            [half * 1.25, half * 0.75],
        )
        story: list[Flowable] = [
            self.heading(self.t("summary")),
            self.headline(faces, persons),
            Spacer(1, 6),
            self.p(self.t("summary_intro"), self.small),
            Spacer(1, 4),
            key_numbers,
            Spacer(1, 6),
            self.p(self.t("persons_by_status"), self.h2),
            status_table,
            self.p(self.t("findings_overview"), self.h2),
        ]
        if not self.data.findings:
            story.append(self.p(self.t("no_findings")))
        else:
            rows = [
                [
                    self.p(self.t("findings"), self.cell_head),
                    self.p(self.t("severity"), self.cell_head),
                    self.p(self.t("count"), self.cell_head),
                    self.p(self.t("citations"), self.cell_head),
                ]
            ]
            for finding in self.data.findings:
                rows.append(
                    [
                        self.p(self.finding_title(finding), self.cell),
                        self.p(i18n.severity_label(finding.severity, self.lang), self.cell),
                        self.p(finding.count, self.cell),
                        self.p(
                            "；".join(self.citation_short(c) for c in rules.known_codes(finding.citations)),
                            self.cell,
                        ),
                    ]
                )
            story.append(
                self.table(
                    rows,
                    [
                        CONTENT_WIDTH * 0.3,
                        CONTENT_WIDTH * 0.1,
                        CONTENT_WIDTH * 0.1,
                        CONTENT_WIDTH * 0.5,
                    ],
                )
            )
        story.append(PageBreak())
        return story

    def headline(self, faces: dict[str, Any], persons: dict[str, Any]) -> Table:
        """The two numbers a reader looks for first: 人次 and 人数, large, side by side."""
        number = ParagraphStyle(
            "headline", parent=self.body, fontSize=20, leading=26, alignment=TA_CENTER
        )
        label = ParagraphStyle("headline_label", parent=self.small, alignment=TA_CENTER)
        persons_label = self.t("distinct")
        if self.data.persons_band is not None:
            low, high = self.data.persons_band
            persons_label += f" ({self.t('band')} {low}–{high})"
        table = Table(
            [
                [
                    self.p(faces.get("records", 0), number),
                    self.p(persons.get("distinct", 0), number),
                ],
                [self.p(self.t("records"), label), self.p(persons_label, label)],
            ],
            colWidths=[CONTENT_WIDTH / 2] * 2,
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), self.font),
                    ("BOX", (0, 0), (0, -1), 0.6, GRID),
                    ("BOX", (1, 0), (1, -1), 0.6, GRID),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f6f9")),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                ]
            )
        )
        return table

    def evidence(self) -> list[Flowable]:
        items = self.data.evidence
        shown = items[: self.options.max_evidence_rows]
        story: list[Flowable] = [
            self.heading(self.t("evidence_list")),
            self.p(self.t("evidence_intro"), self.small),
        ]
        if len(items) > len(shown):
            story.append(
                self.p(self.t("evidence_truncated", shown=len(shown), total=len(items)), self.small)
            )
        story.append(Spacer(1, 4))
        rows: list[list[Any]] = [
            [
                self.p(self.t("no"), self.cell_head),
                self.p(
                    f"{self.t('path')} / {self.t('type')} / {self.t('size')} / {self.t('mtime')}",
                    self.cell_head,
                ),
                self.p(self.t("hashes"), self.cell_head),
            ]
        ]
        for number, item in enumerate(shown, 1):
            described = (
                f"{_safe(item.path)}<br/>{_safe(item.type)} | {_safe(str(item.size))} | "
                f"{_safe(_seconds(item.mtime))}"
                + (
                    f"<br/>{_safe(self.t('acquired_at'))}: {_safe(item.acquired_at)}"
                    if item.acquired_at
                    else ""
                )
            )
            hashes = (
                f"MD5 {_safe(item.md5)}<br/>SHA-256 {_safe(item.sha256)}<br/>SM3 {_safe(item.sm3)}"
            )
            rows.append(
                [
                    self.p(number, self.cell),
                    Paragraph(described, self.cell),
                    Paragraph(hashes, self.mono),
                ]
            )
        story.append(
            self.table(rows, [CONTENT_WIDTH * 0.06, CONTENT_WIDTH * 0.34, CONTENT_WIDTH * 0.6])
        )
        story.extend(self.integrity())
        story.extend(self.stores())
        story.append(PageBreak())
        return story

    def integrity(self) -> list[Flowable]:
        items = self.data.evidence
        counts = {"match": 0, "mismatch": 0, "unchecked": 0}
        for item in items:
            counts[item.integrity] += 1
        story: list[Flowable] = [
            self.p(self.t("integrity"), self.h2),
            self.p(
                self.t("integrity_summary", **counts),
                ParagraphStyle(
                    "alert",
                    parent=self.body,
                    textColor=ALERT if counts["mismatch"] else colors.black,
                ),
            ),
        ]
        problems = [(n, i) for n, i in enumerate(items, 1) if i.integrity != "match"]
        matches = [(n, i) for n, i in enumerate(items, 1) if i.integrity == "match"]
        chosen = (
            problems[: self.options.max_evidence_rows]
            + matches[: self.options.max_integrity_matches]
        )
        if len(chosen) < len(items):
            story.append(
                self.p(
                    self.t("integrity_shown", shown=self.options.max_integrity_matches), self.small
                )
            )
        if not chosen:
            return story
        rows: list[list[Any]] = [
            [
                self.p(self.t("no"), self.cell_head),
                self.p(self.t("path"), self.cell_head),
                self.p(f"{self.t('at_acquisition')} / {self.t('at_report')}", self.cell_head),
                self.p(self.t("result"), self.cell_head),
            ]
        ]
        for number, item in sorted(chosen, key=lambda pair: pair[0]):
            result_style = ParagraphStyle(
                "r",
                parent=self.cell,
                textColor=ALERT if item.integrity == "mismatch" else colors.black,
            )
            rows.append(
                [
                    self.p(number, self.cell),
                    self.p(item.path, self.cell),
                    Paragraph(
                        f"{_safe(item.sha256)}<br/>{_safe(item.verified_sha256 or '—')}",
                        self.mono,
                    ),
                    self.p(self.t(item.integrity), result_style),
                ]
            )
        story.append(
            self.table(
                rows,
                [
                    CONTENT_WIDTH * 0.05,
                    CONTENT_WIDTH * 0.27,
                    CONTENT_WIDTH * 0.55,
                    CONTENT_WIDTH * 0.13,
                ],
            )
        )
        return story

    def stores(self) -> list[Flowable]:
        stores = self.data.stores
        story: list[Flowable] = [self.p(self.t("stores"), self.h2)]
        if not stores:
            return [*story, self.p(self.t("none"))]
        header = [
            self.t(k)
            for k in (
                "path",
                "kind",
                "profile",
                "records",
                "face_images",
                "face_templates",
                "deleted_recoverable",
            )
        ]
        rows: list[list[Any]] = [[self.p(h, self.cell_head) for h in header]]
        for store in stores[: self.options.max_stores_rows]:
            rows.append(
                [
                    self.p(v, self.cell)
                    for v in (
                        store.path,
                        store.kind,
                        store.profile,
                        store.records,
                        store.face_images,
                        store.face_templates,
                        store.deleted_recoverable,
                    )
                ]
            )
        widths = [0.34, 0.1, 0.12, 0.11, 0.11, 0.11, 0.11]
        story.append(self.table(rows, [CONTENT_WIDTH * w for w in widths]))
        if len(stores) > self.options.max_stores_rows:
            story.append(
                self.p(
                    self.t("skipped_more", n=len(stores) - self.options.max_stores_rows), self.small
                )
            )
        return story

    def method(self) -> list[Flowable]:
        method = self.data.methodology
        story: list[Flowable] = [self.heading(self.t("method")), self.p(self.t("tools"), self.h2)]
        tools = [(method.tool_name, method.tool_version), *method.libraries.items()]
        story.append(self.key_value_table(tools, mono_values=False))
        if method.environment:
            story += [
                self.p(self.t("environment"), self.h2),
                self.key_value_table(list(method.environment.items()), mono_values=False),
            ]
        story.append(self.p(self.t("models"), self.h2))
        if method.models:
            story.append(
                self.key_value_table([(m.name, m.sha256) for m in method.models], mono_values=True)
            )
        else:
            story.append(self.p(self.t("none")))
        story.append(self.p(self.t("parameters"), self.h2))
        if method.parameters:
            story.append(
                self.key_value_table(
                    [
                        (i18n.parameter_label(k, self.lang), _format_value(v))
                        for k, v in method.parameters.items()
                    ],
                    mono_values=False,
                )
            )
        else:
            story.append(self.p(self.t("none")))
        if method.clustering:
            story += [self.p(self.t("clustering"), self.h2), self.p(method.clustering)]
        story += [
            self.p(self.t("acquisition"), self.h2),
            self.p(self.t("acquisition_text")),
            self.p(self.t("counting_rules"), self.h2),
            self.p(self.t("counting_rules_text")),
        ]
        story.append(self.p(self.t("transformations"), self.h2))
        if method.transformations:
            rows: list[list[Any]] = [
                [
                    self.p(self.t("item"), self.cell_head),
                    self.p(self.t("count"), self.cell_head),
                    self.p(self.t("method"), self.cell_head),
                ]
            ]
            for step in method.transformations:
                rows.append(
                    [
                        self.p(step.name, self.cell),
                        self.p("—" if step.count is None else step.count, self.cell),
                        self.p(
                            i18n.pair(step.description_zh, step.description_en, self.lang, "\n"),
                            self.cell,
                        ),
                    ]
                )
            story.append(
                self.table(rows, [CONTENT_WIDTH * 0.18, CONTENT_WIDTH * 0.1, CONTENT_WIDTH * 0.72])
            )
        else:
            story.append(self.p(self.t("none")))
        story.append(self.p(self.t("commands"), self.h2))
        if method.commands:
            for command in method.commands:
                story.append(
                    Paragraph(
                        _safe(_clip(command, self.options.max_command_chars)), self.mono_wrapped()
                    )
                )
        else:
            story.append(self.p(self.t("none")))
        story += [
            Spacer(1, 6),
            self.p(self.t("report_hash_note"), self.small),
            self.p(self.t("font_note", font=self.options.fonts.source), self.small),
        ]
        story.append(PageBreak())
        return story

    def findings(self) -> list[Flowable]:
        story: list[Flowable] = [self.heading(self.t("findings"))]
        if not self.data.findings:
            return [*story, self.p(self.t("no_findings")), PageBreak()]
        for number, finding in enumerate(self.data.findings, 1):
            story.append(CondPageBreak(60 * mm))
            story.append(self.p(f"{number}. {self.finding_title(finding)}", self.h2))
            story.append(
                self.p(
                    f"{self.t('rule')}: {finding.rule}    {self.t('severity')}: "
                    f"{i18n.severity_label(finding.severity, self.lang)}    "
                    f"{self.t('finding_count')}: {finding.count}",
                    self.body,
                )
            )
            detail = i18n.pair(finding.detail_zh, finding.detail_en, self.lang, "\n").strip()
            if detail:
                story.append(self.p(detail))
            cited = rules.known_codes(finding.citations)
            if cited:
                story.append(self.p(f"{self.t('citations')}:", self.body))
                for index, code in enumerate(cited, 1):
                    story.append(self.p(f"({index}) {self.citation_full(code)}", self.small))
            later = rules.known_codes(finding.later_guidance)
            if later:
                story.append(self.p(self.t("later_guidance"), self.body))
                for index, code in enumerate(later, 1):
                    story.append(self.p(f"({index}) {self.citation_full(code)}", self.small))
            if finding.locators:
                story.append(self.p(self.t("locators"), self.small))
                for locator in finding.locators[: self.options.max_locators]:
                    story.append(Paragraph(_safe(locator), self.mono_wrapped()))
                extra = len(finding.locators) - self.options.max_locators
                if extra > 0:
                    story.append(self.p(self.t("locators_more", n=extra), self.small))
            if finding.person_ids:
                ids = finding.person_ids[: self.options.max_person_ids]
                more = len(finding.person_ids) - len(ids)
                story.append(
                    self.p(
                        f"{self.t('persons_involved')}: "
                        + ", ".join(str(i) for i in ids)
                        + (f" … (+{more})" if more > 0 else ""),
                        self.small,
                    )
                )
            if finding.thumbnails:
                story.extend(self.thumbnails(finding))
        story.append(PageBreak())
        return story

    def thumbnails(self, finding: FindingSection) -> list[Flowable]:
        note = self.t("thumbnails_redacted") if self.options.redact else self.t("thumbnails_sealed")
        cells: list[Any] = []
        for thumb in finding.thumbnails[: self.options.max_thumbnails]:
            try:
                jpeg = make_thumbnail(thumb.image, redact=self.options.redact)
                picture: Flowable = Image(
                    io.BytesIO(jpeg), width=22 * mm, height=22 * mm, kind="proportional"
                )
            except ThumbnailError as error:
                picture = self.p(f"[{error}]", self.small)
            cells.append([picture, self.p(thumb.label, self.small)])
        columns = 6
        grid = [cells[i : i + columns] for i in range(0, len(cells), columns)]
        for row in grid:
            row.extend([""] * (columns - len(row)))
        table = Table(grid, colWidths=[CONTENT_WIDTH / columns] * columns)
        table.setStyle(
            TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), self.font)]
            )
        )
        return [KeepTogether([self.p(f"{self.t('thumbnails')} {note}", self.small), table])]

    def charts(self) -> list[Flowable]:
        fonts = self.options.fonts
        timeline = self.data.timeline
        by_status = self.data.summary.get("persons", {}).get("by_status", {})
        return [
            self.heading(self.t("charts")),
            self.p(self.t("chart_timeline"), self.h2),
            charts.captures_timeline(
                timeline.captures_per_day,
                timeline.log_events,
                fonts,
                self.lang,
                width=CONTENT_WIDTH,
            ),
            *self.log_event_table(),
            self.p(self.t("chart_retention"), self.h2),
            charts.retention_histogram(
                self.data.retention_ages_days,
                self.data.retention_limit_days,
                fonts,
                self.lang,
                width=CONTENT_WIDTH,
            ),
            self.p(self.t("chart_status"), self.h2),
            charts.status_bars(by_status, fonts, self.lang, width=CONTENT_WIDTH),
            PageBreak(),
        ]

    def log_event_table(self) -> list[Flowable]:
        """Log events per kind and remote host: where the data went, how often, how much."""
        groups: dict[tuple[str, str], list[LogEvent]] = {}
        for event in self.data.timeline.log_events:
            groups.setdefault((event.kind, event.remote_host), []).append(event)
        if not groups:
            return []
        header = ("action", "remote", "days", "count", "first_seen", "last_seen")
        rows: list[list[Any]] = [[self.p(self.t(k), self.cell_head) for k in header]]
        for (kind, remote), events in sorted(groups.items()):
            label = f"legend_{kind}"
            rows.append(
                [
                    self.p(self.t(label) if label in i18n.STRINGS else kind, self.cell),
                    self.p(remote or "—", self.cell),
                    self.p(len({e.date for e in events}), self.cell),
                    self.p(sum(e.count for e in events), self.cell),
                    self.p(min(e.date for e in events), self.cell),
                    self.p(max(e.date for e in events), self.cell),
                ]
            )
        widths = (0.12, 0.36, 0.1, 0.1, 0.16, 0.16)
        return [Spacer(1, 4), self.table(rows, [CONTENT_WIDTH * w for w in widths])]

    def persons(self) -> list[Flowable]:
        persons = sorted(self.data.persons, key=lambda p: (-p.records, p.id))
        shown = persons[: self.options.max_persons_rows]
        story: list[Flowable] = [
            self.heading(self.t("persons")),
            self.p(self.t("persons_top", shown=len(shown), total=len(persons)), self.small),
        ]
        if not shown:
            return [*story, PageBreak()]
        header = [self.t(k) for k in ("person_id", "records", "first_seen", "last_seen", "status")]
        rows: list[list[Any]] = [[self.p(h, self.cell_head) for h in header]]
        for person in shown:
            rows.append(
                [
                    self.p(person.id, self.cell),
                    self.p(person.records, self.cell),
                    self.p(person.first_seen, self.cell),
                    self.p(person.last_seen, self.cell),
                    self.p(i18n.status_label(person.status, self.lang), self.cell),
                ]
            )
        story.append(self.table(rows, [CONTENT_WIDTH * w for w in (0.12, 0.1, 0.26, 0.26, 0.26)]))
        story.append(PageBreak())
        return story

    def skipped(self) -> list[Flowable]:
        items = self.data.skipped
        story: list[Flowable] = [self.p(self.t("skipped"), self.h1)]
        if not items:
            return [*story, self.p(self.t("skipped_none"))]
        rows: list[list[Any]] = [
            [self.p(self.t(k), self.cell_head) for k in ("stage", "locator", "reason")]
        ]
        for item in items[: self.options.max_skipped_rows]:
            rows.append(
                [
                    self.p(item.stage, self.cell),
                    self.p(item.locator, self.cell),
                    self.p(item.reason, self.cell),
                ]
            )
        story.append(
            self.table(rows, [CONTENT_WIDTH * 0.12, CONTENT_WIDTH * 0.44, CONTENT_WIDTH * 0.44])
        )
        if len(items) > self.options.max_skipped_rows:
            story.append(
                self.p(
                    self.t("skipped_more", n=len(items) - self.options.max_skipped_rows), self.small
                )
            )
        return story

    def verification(self) -> list[Flowable]:
        section = self.data.verification
        if section is None:
            return []
        story: list[Flowable] = [
            self.p(self.t("verification"), self.h1),
            self.p(f"{self.t('verdict')}: {self.deletion_word(section.verdict)}", self.big),
        ]
        if section.baseline or section.after:
            story.append(self.p(f"{section.baseline} → {section.after}", self.small))
        rows: list[list[Any]] = [
            [
                self.p(self.t(k), self.cell_head)
                for k in ("subject", "live", "recoverable", "gone", "verdict")
            ]
        ]
        for row in section.rows:
            rows.append(
                [
                    self.p(v, self.cell)
                    for v in (
                        row.subject,
                        row.live,
                        row.recoverable,
                        row.gone,
                        self.deletion_word(row.verdict),
                    )
                ]
            )
        story.append(self.table(rows, [CONTENT_WIDTH * w for w in (0.4, 0.12, 0.12, 0.12, 0.24)]))
        return story

    def deletion_word(self, verdict: str) -> str:
        key = f"deletion_{verdict}"
        return self.t(key) if key in i18n.STRINGS else verdict

    def custody(self) -> list[Flowable]:
        events = self.data.custody
        story: list[Flowable] = [CondPageBreak(90 * mm), self.heading(self.t("custody"))]
        if not events:
            return [*story, self.p(self.t("none"))]
        rows: list[list[Any]] = [
            [
                self.p(self.t(k), self.cell_head)
                for k in ("seq", "at", "actor", "action", "command", "hash")
            ]
        ]
        for event in events[-self.options.max_custody_rows :]:
            rows.append(
                [
                    self.p(event.seq, self.cell),
                    self.p(event.at, self.cell),
                    self.p(event.actor, self.cell),
                    self.p(event.action, self.cell),
                    Paragraph(_safe(_clip(event.command, 240)), self.mono_wrapped()),
                    Paragraph(f"{_safe(event.hash[:32])}<br/>{_safe(event.hash[32:])}", self.mono),
                ]
            )
        story.append(
            self.table(rows, [CONTENT_WIDTH * w for w in (0.05, 0.16, 0.09, 0.12, 0.30, 0.28)])
        )
        if len(events) > self.options.max_custody_rows:
            story.append(
                self.p(
                    self.t("skipped_more", n=len(events) - self.options.max_custody_rows),
                    self.small,
                )
            )
        return story

    def annexes(self) -> list[Flowable]:
        if not self.options.annex_hashes:
            return []
        rows = [[self.p(self.t("file"), self.cell_head), self.p("SHA-256", self.cell_head)]]
        rows += [
            [self.p(name, self.cell), Paragraph(_safe(digest), self.mono)]
            for name, digest in self.options.annex_hashes.items()
        ]
        return [
            self.p(self.t("annexes"), self.h1),
            self.p(self.t("annexes_intro"), self.small),
            Spacer(1, 4),
            self.table(rows, [CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.7]),
        ]

    def signatures(self) -> list[Flowable]:
        rows = [
            [
                self.p(f"{self.t('examiners')}: {name}"),
                self.p(f"{self.t('signature')}: ____________________"),
                self.p(f"{self.t('date')}: ______________"),
            ]
            for name in self.data.case.examiners
        ]
        table = Table(
            rows,
            colWidths=[CONTENT_WIDTH * 0.36, CONTENT_WIDTH * 0.38, CONTENT_WIDTH * 0.26],
            rowHeights=[16 * mm] * len(rows),
        )
        table.setStyle(
            TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("FONT", (0, 0), (-1, -1), self.font)]
            )
        )
        return [KeepTogether([self.p(self.t("signatures"), self.h1), table])]

    # -- helpers ----------------------------------------------------------------------------

    def heading(self, text: str) -> Paragraph:
        return Paragraph(_safe(text), self.h1)

    def finding_title(self, finding: FindingSection) -> str:
        return i18n.pair(
            finding.title_zh or finding.rule, finding.title_en or finding.rule, self.lang
        )

    def citation_short(self, code: str) -> str:
        """《个人信息保护法》第二十九条, or its English code, from the rule table."""
        known = rules.citation(code)
        if known is None:
            return ""
        return i18n.pair(known.heading_zh, code, self.lang, " ")

    def citation_full(self, code: str) -> str:
        """The article, the quoted sentence of its verified text, and when it came into force."""
        known = rules.citation(code)
        if known is None:
            return ""
        zh = f"{known.heading_zh}：“{known.quote}”（{known.in_force.isoformat()}起施行）"
        en = f"{code}: {known.en} (in force since {known.in_force.isoformat()})"
        return i18n.pair(zh, en, self.lang, "\n")

    def mono_wrapped(self) -> ParagraphStyle:
        return ParagraphStyle(
            "mono_wrapped",
            parent=self.mono,
            fontName=self.options.fonts.regular,
            wordWrap="CJK",
            fontSize=6.8,
            leading=8.5,
        )

    def key_value_table(self, pairs: list[tuple[str, str]], mono_values: bool) -> Table:
        value_style = self.mono if mono_values else self.cell
        return self.table(
            [[self.p(k, self.cell), Paragraph(_safe(str(v)), value_style)] for k, v in pairs],
            [CONTENT_WIDTH * 0.35, CONTENT_WIDTH * 0.65],
            header=False,
        )

    def table(self, rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("FONT", (0, 0), (-1, -1), self.font),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
        else:
            style.append(("BACKGROUND", (0, 0), (0, -1), HEADER_FILL))
        table.setStyle(TableStyle(style))
        return table


def printable(text: str) -> str:
    """Text reportlab can draw and a reader can see: control characters and the lone
    surrogates Python uses for undecodable file-name bytes are shown as ``\\xNN``."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif (code < 32 and char not in "\n\t") or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return "".join(out)


def _safe(value: object) -> str:
    """Escaped for Paragraph markup, after :func:`printable`."""
    return escape(printable(str(value)))


def _seconds(stamp: str) -> str:
    """An ISO time without its fraction of a second, which only makes the column wrap."""
    return re.sub(r"(T\d\d:\d\d:\d\d)\.\d+", r"\1", stamp)


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)

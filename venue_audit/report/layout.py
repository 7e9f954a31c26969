"""What every page of the report shares: page geometry, render options, styles, helpers.

The sections are mixins of :class:`LayoutBase` (pdf_front, pdf_evidence,
pdf_findings, pdf_closing); ``pdf.build_pdf`` puts them in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle
from reportlab.platypus import paragraph as reportlab_paragraph

from venue_audit.report import i18n, rules
from venue_audit.report.fonts import ReportFonts
from venue_audit.report.model import FindingSection, ReportData

# Chinese line breaking: reportlab's characters that may not open a line are the Japanese
# ones; the full-width Chinese punctuation joins them, so "，" or "；" never starts a line.
CANNOT_START_A_LINE = "，；：！？》”’"
for _splitter in (textsplit, reportlab_paragraph):  # one-run and multi-run paragraphs
    if CANNOT_START_A_LINE not in _splitter.ALL_CANNOT_START:
        _splitter.ALL_CANNOT_START += CANNOT_START_A_LINE

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#9a9a9a")
MAX_CELL_LINES = 12  # values listed in one table cell; the annex has them all
MAX_CELL_CHARS = 300
ANNEX_FILES = {
    "manifest": "manifest.csv",
    "findings": "findings.csv",
    "persons": "persons.csv",
    "summary": "summary.json",
    "verification": "verification.json",
    "skipped": "case.db (skipped)",
}
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
    signed: bool = False  # a digital signature will be added after layout
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



class LayoutBase:
    """Styles and small builders the section mixins share."""

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

    def each_language(self, build: Callable[[], str]) -> str:
        """A sentence assembled from several wordings, built whole in each language and then
        paired: in zh+en the reader gets the Chinese sentence, then the English one, never
        the pieces of both interleaved."""
        if self.lang != "zh+en":
            return build()
        worded = []
        try:
            for lang in ("zh", "en"):
                self.lang = lang
                worded.append(build())
        finally:
            self.lang = "zh+en"
        return i18n.pair(*worded, "zh+en")

    def p(self, value: object, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(safe(str(value)).replace("\n", "<br/>"), style or self.body)

    def counted(self, finding: FindingSection) -> str:
        """A finding's count with what it counts (persons, records, locations, log lines)."""
        key = f"unit_{finding.unit}"
        if finding.count == 1 and f"{key}_one" in i18n.STRINGS:
            key = f"{key}_one"
        return self.t(key, n=finding.count) if key in i18n.STRINGS else str(finding.count)

    def bracketed(self, text: str) -> str:
        """An aside in the brackets of the report's language."""
        return f" ({text})" if self.lang == "en" else f"（{text}）"

    def deletion_word(self, verdict: str) -> str:
        key = f"deletion_{verdict}"
        return self.t(key) if key in i18n.STRINGS else verdict

    def persons_range(self) -> str:
        """The persons range as the identify stage measured it, worded for what it is.

        An interval from measured split/merge rates and a lower bound (``interval``,
        ``lower_bound``) when the persons stage gives them; else the threshold sweep
        (``band``), which is a sensitivity range and never a confidence interval.
        """
        persons = self.data.summary.get("persons", {})
        parts = []
        interval = persons.get("interval")
        if isinstance(interval, list) and len(interval) == 2:
            parts.append(self.t("persons_interval", low=interval[0], high=interval[1]))
        elif self.data.persons_band is not None:
            low, high = self.data.persons_band
            parts.append(self.t("band_range", low=low, high=high))
        if isinstance(persons.get("lower_bound"), int):
            parts.append(self.t("lower_bound", n=persons["lower_bound"]))
        return "；".join(parts) if self.lang != "en" else "; ".join(parts)

    def shorten(self, value: str, annex: str, limit: int = MAX_CELL_CHARS) -> str:
        """A long path or locator, abbreviated in its middle with the annex that holds it whole.

        A table cell taller than a page makes reportlab give up (LayoutError): a 4,096-byte
        evidence path must never stop a report. Narrow cells (a thumbnail's caption) pass a
        smaller ``limit``.
        """
        if len(value) <= limit:
            return value
        keep = max(limit // 2 - 10, 8)
        return (
            value[:keep]
            + self.t("abbreviated", n=len(value), annex=ANNEX_FILES.get(annex, annex))
            + value[-keep:]
        )

    def listed(self, values: list[str], annex: str, limit: int = MAX_CELL_LINES) -> str:
        """One value per line, the first ``limit`` of them, then how many more the annex holds.

        A person seen 2,000 times by one camera system can carry hundreds of keys and stores: a
        cell listing them all is taller than a page, and reportlab gives up (LayoutError).
        """
        shown = [self.shorten(v, annex) for v in values[:limit]]
        if len(values) > limit:
            shown.append(
                self.t("more_in_annex", n=len(values) - limit, annex=ANNEX_FILES.get(annex, annex))
            )
        return "\n".join(shown)

    def heading(self, text: str) -> Paragraph:
        return Paragraph(safe(text), self.h1)

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

    def citations_grouped(self, codes: list[str]) -> str:
        """Several citations in one cell, each instrument named once:
        《中华人民共和国个人信息保护法》第二十八条、第二十九条；《中华人民共和国民法典》第一千零三十五条."""
        articles: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        known = [(code, rules.citation(code)) for code in codes]
        for _, citation in known:
            if citation is not None:
                key = citation.instrument.key
                names[key] = citation.instrument.zh
                articles.setdefault(key, []).append(citation.article)
        zh = "；".join(f"{names[key]}{'、'.join(parts)}" for key, parts in articles.items())
        en = "; ".join(code for code, citation in known if citation is not None)
        return i18n.pair(zh, en, self.lang, " ")

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
            [[self.p(k, self.cell), Paragraph(safe(str(v)), value_style)] for k, v in pairs],
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


def safe(value: object) -> str:
    """Escaped for Paragraph markup, after :func:`printable`."""
    return escape(printable(str(value)))


def seconds(stamp: str) -> str:
    """An ISO time without its fraction of a second, which only makes the column wrap."""
    return re.sub(r"(T\d\d:\d\d:\d\d)\.\d+", r"\1", stamp)


def clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"

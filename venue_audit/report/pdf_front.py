"""The report's first pages: cover, examination record, and the one-page summary."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from venue_audit.report import i18n
from venue_audit.report.layout import (
    ALERT,
    CONTENT_WIDTH,
    GRID,
    LayoutBase,
    safe,
)
from venue_audit.report.model import PERSON_STATUSES, LogEvent


class FrontPages(LayoutBase):
    """Cover, examination record and summary page."""

    def cover(self) -> list[Flowable]:
        """The report's title, its cover table (:meth:`cover_rows`) and notices."""
        title_zh, title_en = self.title_pair()
        table = self.table(
            [[self.p(k), self.p(v or self.t("not_given"))] for k, v in self.cover_rows() if k],
            [CONTENT_WIDTH * 0.3, CONTENT_WIDTH * 0.7],
            header=False,
        )
        return [
            Spacer(1, 14 * mm),
            Paragraph(safe(title_zh) if self.lang != "en" else safe(title_en), self.title),
            *([self.p(title_en, self.subtitle)] if self.lang == "zh+en" else []),
            Spacer(1, 8 * mm),
            table,
            *self.cover_notices(),
            PageBreak(),
        ]

    def title_pair(self) -> tuple[str, str]:
        return i18n.STRINGS["report_title"]

    def cover_rows(self) -> list[tuple[str, str]]:
        """The 检验报告's cover: the examination record (2016 rules Art. 14; MPS rules 2019)."""
        case = self.data.case
        period = " — ".join(v for v in (case.period_start, case.period_end) if v)
        names = "、" if self.lang != "en" else ", "
        return [
            (self.t("case_title"), case.title),
            (self.t("case_no"), case.case_no),
            (self.t("org"), case.org),
            (self.t("commissioned_at"), case.commissioned_at),
            (self.t("venue"), case.venue),
            (self.t("material_source"), case.material_source),
            (self.t("handover_at"), case.handover_at),
            (self.t("requirements"), case.requirements),
            (self.t("place"), case.place),
            (self.t("examiners"), names.join(case.examiners)),
            (self.t("witnesses"), names.join(case.witnesses)),
            (self.t("holder"), case.holder),
            (self.t("period"), period),
            (self.t("tz"), case.tz),
            (self.t("as_of"), case.as_of),
            (
                self.t("evidence_set_hash"),
                self.data.summary.get("evidence", {}).get("manifest_sha256", ""),
            ),
            (self.t("report_id"), self.options.report_id),
            (
                self.t("tool"),
                f"{self.data.methodology.tool_name} {self.data.methodology.tool_version}",
            ),
        ]

    def cover_notices(self) -> list[Flowable]:
        return [*self.examiner_notice(), *self.sealed_notice()]

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
        distinct = self.each_language(
            lambda: str(persons.get("distinct", 0))
            + (self.bracketed(self.persons_range()) if self.persons_range() else "")
        )
        only_deleted = int(persons.get("only_in_deleted", 0))
        offsite = summary.get("offsite", [])
        numbers = [
            (self.t("records"), faces.get("records", 0)),
            (self.t("distinct"), distinct),
            (self.t("only_deleted"), only_deleted),
            (
                self.t("persons_listed"),
                self.t(
                    "persons_listed_value",
                    n=persons.get("listed", int(persons.get("distinct", 0)) + only_deleted),
                    live=persons.get("distinct", 0),
                    deleted=only_deleted,
                ),
            ),
            (self.t("face_images"), faces.get("face_images", 0)),
            (self.t("faces_in_images"), faces.get("faces_in_images", 0)),
            (self.t("face_templates"), faces.get("face_templates", 0)),
            (self.t("video_frames"), faces.get("video_frames_with_faces", 0)),
            (self.t("exact_duplicates"), faces.get("exact_duplicates", 0)),
            (self.t("deleted_recoverable"), faces.get("deleted_recoverable", 0)),
            (self.t("stores_found"), self.t("unit_stores", n=len(summary.get("stores", [])))),
            (
                self.t("offsite_stores"),
                self.t(
                    "offsite_value",
                    stores=len(offsite),
                    copies=sum(int(s.get("copies", 0)) for s in offsite),
                    matches=sum(int(s.get("matches", 0)) for s in offsite),
                ),
            ),
            (self.t("log_events"), self.log_events_text()),
            (self.t("filing_threshold"), self.filing_text()),
            *self.verification_numbers(),
            (self.t("evidence_files"), self.evidence_files(evidence.get("files", 0))),
            (self.t("disguised_count"), sum(1 for item in self.data.evidence if item.disguised)),
            (self.t("evidence_bytes"), evidence.get("bytes", 0)),
            (self.t("evidence_set_hash"), evidence.get("manifest_sha256", "")),
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
            [half * 0.78, half * 1.22],
        )
        by_status = persons.get("by_status", {})
        deleted_status = persons.get("only_in_deleted_by_status", {})
        status_table = self.table(
            [
                [
                    self.p(self.t("status"), self.cell_head),
                    self.p(self.t("persons_live"), self.cell_head),
                    self.p(self.t("persons_deleted_only"), self.cell_head),
                ]
            ]
            + [
                [
                    self.p(i18n.status_label(s, self.lang), self.cell),
                    self.p(by_status.get(s, 0), self.cell),
                    self.p(deleted_status.get(s, 0), self.cell),
                ]
                for s in PERSON_STATUSES
            ],
            [half * 0.9, half * 0.55, half * 0.55],
        )
        story: list[Flowable] = [
            self.heading(self.t("summary")),
            self.headline(faces, persons),
            Spacer(1, 6),
            self.p(self.t("summary_intro"), self.small),
            *self.range_note(),
            Spacer(1, 4),
            key_numbers,
            Spacer(1, 6),
            self.p(self.t("persons_by_status"), self.h2),
            status_table,
            CondPageBreak(35 * mm),  # the heading never alone at the foot of the page
            self.p(self.t("findings_overview"), self.h2),
        ]
        if not self.data.findings:
            story.append(self.p(self.t("no_findings")))
        else:
            rows = [
                [
                    self.p(self.t("findings"), self.cell_head),
                    self.p(self.t("severity"), self.cell_head),
                    self.p(self.t("finding_count"), self.cell_head),
                    self.p(self.t("citations"), self.cell_head),
                ]
            ]
            for finding in self.data.findings:
                rows.append(
                    [
                        self.p(self.finding_title(finding), self.cell),
                        self.p(i18n.severity_label(finding.severity, self.lang), self.cell),
                        self.p(self.counted(finding), self.cell),
                        self.p(self.citations_grouped(finding.citations), self.cell),
                    ]
                )
            story.append(
                self.table(
                    rows,
                    [
                        CONTENT_WIDTH * 0.27,
                        CONTENT_WIDTH * 0.08,
                        CONTENT_WIDTH * 0.11,
                        CONTENT_WIDTH * 0.54,
                    ],
                )
            )
        story.append(PageBreak())
        return story

    def evidence_files(self, files: int) -> str:
        """The files handed over, and the archive members listed beside them."""
        members = sum(1 for e in self.data.evidence if e.archive_member and not e.after_state)
        return self.t("evidence_files_value", files=files, members=members) if members else str(files)

    def range_note(self) -> list[Flowable]:
        """What the persons range is, in words: never a confidence interval."""
        if not self.persons_range():
            return []
        interval = self.data.summary.get("persons", {}).get("interval")
        key = "interval_note" if isinstance(interval, list) else "band_note"
        return [self.p(self.t(key), self.small)]

    def log_events_text(self) -> str:
        """Upload and deletion events from logs, or plainly that none were found."""
        events = self.data.timeline.log_events
        uploads = [e for e in events if e.kind == "upload"]
        deletions = [e for e in events if e.kind == "delete"]
        if not uploads and not deletions:
            return self.t("log_events_none")

        def files(events: list[LogEvent]) -> str:
            stated = [e.files for e in events if e.files is not None]
            return self.t("log_files_stated", n=sum(stated)) if stated else ""

        return self.each_language(
            lambda: self.t(
                "log_events_value",
                upload_days=len({e.date for e in uploads}),
                upload_lines=sum(e.lines for e in uploads),
                upload_files=files(uploads),
                delete_days=len({e.date for e in deletions}),
                delete_lines=sum(e.lines for e in deletions),
                delete_files=files(deletions),
            )
        )

    def filing_text(self) -> str:
        """The 100,000-person filing threshold of the Measures: reached or not, and whether in force."""
        filing = self.data.summary.get("filing_threshold") or {}
        persons = filing.get("persons", self.data.summary.get("persons", {}).get("distinct", 0))
        key = "filing_reached" if filing.get("reached") else "filing_not_reached"

        def worded() -> str:
            text = self.t(key, n=f"{persons:,}", threshold=f"{filing.get('threshold', 100000):,}")
            if filing and not filing.get("in_force_at_as_of"):
                text += self.t("filing_not_in_force", date=filing.get("in_force", "2025-06-01"))
            return text

        return self.each_language(worded)

    def verification_numbers(self) -> list[tuple[str, str]]:
        verification = self.data.summary.get("verification")
        if not isinstance(verification, dict):
            return []
        word = self.deletion_word("clean" if verification.get("clean") else "residual")
        return [
            (
                self.t("verification"),
                self.t(
                    "verification_value",
                    verdict=word,
                    live=verification.get("remaining_live", 0),
                    recoverable=verification.get("recoverable", 0),
                ),
            )
        ]

    def headline(self, faces: dict[str, Any], persons: dict[str, Any]) -> Table:
        """The two numbers a reader looks for first: 人次 and 人数, large, side by side."""
        number = ParagraphStyle(
            "headline", parent=self.body, fontSize=20, leading=26, alignment=TA_CENTER
        )
        label = ParagraphStyle("headline_label", parent=self.small, alignment=TA_CENTER)
        persons_label = self.each_language(
            lambda: self.t("distinct")
            + (self.bracketed(self.persons_range()) if self.persons_range() else "")
        )
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

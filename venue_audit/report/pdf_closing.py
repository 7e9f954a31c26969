"""The closing pages: skipped items, deletion verification, custody log, annexes, signatures."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from venue_audit.report.layout import (
    CONTENT_WIDTH,
    LayoutBase,
    clip,
    safe,
)


class ClosingPages(LayoutBase):
    """Skipped items, verification, custody, annexes and signatures."""

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
        if section.residual:
            story.append(self.p(self.t("residual_heading", n=section.residual_total), self.h2))
            residual: list[list[Any]] = [
                [self.p(self.t(k), self.cell_head) for k in ("baseline_item", "found_at", "how")]
            ]
            for item in section.residual:
                residual.append(
                    [
                        self.p(item.baseline, self.cell),
                        self.p(f"{item.found_at}\n{self.deletion_state(item.state)}", self.cell),
                        self.p(item.how, self.cell),
                    ]
                )
            story.append(self.table(residual, [CONTENT_WIDTH * w for w in (0.42, 0.44, 0.14)]))
        return story

    def deletion_state(self, state: str) -> str:
        return self.t(state) if state in ("recoverable",) else self.t("live") if state == "remaining_live" else state

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
                    Paragraph(safe(clip(event.command, 240)), self.mono_wrapped()),
                    Paragraph(f"{safe(event.hash[:32])}<br/>{safe(event.hash[32:])}", self.mono),
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
            [self.p(name, self.cell), Paragraph(safe(digest), self.mono)]
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

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

from venue_audit.report import i18n, labels
from venue_audit.report.layout import (
    CONTENT_WIDTH,
    GRID,
    LayoutBase,
    clip,
    safe,
)
from venue_audit.report.model import SkippedItem


class ClosingPages(LayoutBase):
    """Skipped items, verification, custody, annexes and signatures."""

    def skipped(self) -> list[Flowable]:
        story: list[Flowable] = [self.p(self.t("skipped"), self.h1)]
        if not self.data.skipped:
            story.append(self.p(self.t("skipped_none")))
        else:
            story += self.skipped_table(self.data.skipped)
        if self.data.consent_problems:
            story += [
                self.p(self.t("consent_problems", n=len(self.data.consent_problems)), self.h2),
                *self.skipped_table(self.data.consent_problems),
            ]
        return story

    def skipped_table(self, items: list[SkippedItem]) -> list[Flowable]:
        """Stage, where, and why in the report's words (the tool's own when it has no wording)."""
        rows: list[list[Any]] = [
            [self.p(self.t(k), self.cell_head) for k in ("stage", "locator", "reason")]
        ]
        for item in items[: self.options.max_skipped_rows]:
            reason = i18n.reason_text(item.code, item.params, item.reason, self.lang)
            rows.append(
                [
                    self.p(i18n.stage_label(item.stage, self.lang), self.cell),
                    self.p(self.shorten(item.locator, "skipped"), self.cell),
                    self.p(self.shorten(reason, "skipped"), self.cell),
                ]
            )
        story: list[Flowable] = [
            self.table(rows, [CONTENT_WIDTH * 0.12, CONTENT_WIDTH * 0.44, CONTENT_WIDTH * 0.44])
        ]
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
            self.p(
                i18n.labelled(self.t("verdict"), self.deletion_word(section.verdict), self.lang),
                self.big,
            ),
        ]
        if section.after:
            story.append(
                self.p(
                    self.t(
                        "verification_compared",
                        baseline=section.baseline or self.t("baseline_scan"),
                        after=section.after,
                    ),
                    self.small,
                )
            )
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
                        self.t("person_subject", id=row.subject) if row.person else row.subject,
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
                        self.p(self.shorten(item.baseline, "verification"), self.cell),
                        self.p(
                            f"{self.shorten(item.found_at, 'verification')}\n"
                            f"{self.deletion_state(item.state)}",
                            self.cell,
                        ),
                        self.p(i18n.label(labels.MATCHES, item.how, self.lang), self.cell),
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
        names = "、" if self.lang != "en" else ", "
        for event in events[-self.options.max_custody_rows :]:
            actor = self.t("os_account", account=event.actor)
            if event.examiners:
                actor = f"{names.join(event.examiners)}\n{actor}"
            action = i18n.label(labels.CUSTODY_ACTIONS, event.action, self.lang)
            if event.action == "handover":
                stated = event.detail.get("handed_over_at") or self.t("not_given")
                action = self.t("handover_event", at=stated)
            rows.append(
                [
                    self.p(event.seq, self.cell),
                    self.p(event.at.replace("T", "\n", 1), self.cell),  # date over time
                    self.p(actor, self.cell),
                    self.p(action, self.cell),
                    Paragraph(safe(clip(event.command, 240)), self.mono_wrapped()),
                    Paragraph(f"{safe(event.hash[:32])}<br/>{safe(event.hash[32:])}", self.mono),
                ]
            )
        story.append(
            self.table(rows, [CONTENT_WIDTH * w for w in (0.05, 0.15, 0.13, 0.14, 0.26, 0.27)])
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

    def conclusion(self) -> list[Flowable]:
        """检验意见: the result in words, from the same reconciled numbers as every page."""
        return [
            CondPageBreak(70 * mm),
            self.heading(self.t("conclusion")),
            self.p(self.each_language(self.conclusion_text)),
        ]

    def conclusion_text(self) -> str:
        summary = self.data.summary
        faces, persons = summary.get("faces", {}), summary.get("persons", {})
        by_status = persons.get("by_status", {})
        evidence = summary.get("evidence", {})
        sentences = [
            self.t(
                "conclusion_counts",
                venue=self.data.case.venue,
                files=evidence.get("files", 0),
                digest=str(evidence.get("manifest_sha256", ""))[:16],
                records=faces.get("records", 0),
                distinct=persons.get("distinct", 0),
                range=self.persons_range() or self.t("not_given"),
                deleted=persons.get("only_in_deleted", 0),
                deleted_records=faces.get("deleted_recoverable", 0),
            ),
            self.consent_sentence(by_status),
        ]
        offsite = summary.get("offsite") or []
        copies = sum(int(s.get("copies", 0)) + int(s.get("matches", 0)) for s in offsite)
        if copies:
            sentences.append(
                self.t("conclusion_offsite", stores=len(offsite), copies=copies)
            )
        verification = summary.get("verification")
        if isinstance(verification, dict):
            sentences.append(
                self.t(
                    "conclusion_verification",
                    verdict=self.deletion_word(
                        "clean" if verification.get("clean") else "residual"
                    ),
                    residual=verification.get("residual", 0),
                )
            )
        sentences.append(self.t("conclusion_findings", n=len(self.data.findings)))
        return ("" if self.lang == "zh" else " ").join(sentences)

    def signers(self) -> list[tuple[str, str]]:
        """(role, name) of everyone who signs: the examiners, the witnesses, the holder."""
        case = self.data.case
        signers = [(self.t("examiner_role"), name) for name in case.examiners]
        signers += [(self.t("witness_role"), name) for name in case.witnesses or [""]]
        signers.append((self.t("holder_role"), case.holder))
        return signers

    def consent_sentence(self, by_status: dict[str, int]) -> str:
        """What the consent check found; never "checked against the records" when there were none."""
        if self.data.consent_check == "not_run":
            return self.t("conclusion_not_assessed")
        if self.data.consent_check == "no_register":
            return self.t("conclusion_no_register", n=by_status.get("no_consent", 0))
        return self.t(
            "conclusion_consent",
            no_consent=by_status.get("no_consent", 0),
            withdrawn=by_status.get("withdrawn_retained", 0),
            expired=by_status.get("expired_retained", 0),
            consented=by_status.get("consented", 0),
        )

    def signatures(self) -> list[Flowable]:
        """Lines for both examiners, the witnesses and the holder, and a box for the seal."""
        line = 10 if self.lang == "zh+en" else 20  # room for "签名 / Signature" on one line
        rows = [
            [
                self.p(i18n.labelled(role, name or "", self.lang)),
                self.p(i18n.labelled(self.t("signature"), "_" * line, self.lang)),
                self.p(i18n.labelled(self.t("date"), "_" * (line * 2 // 3), self.lang)),
            ]
            for role, name in self.signers()
        ]
        table = Table(
            rows,
            colWidths=[CONTENT_WIDTH * 0.36, CONTENT_WIDTH * 0.38, CONTENT_WIDTH * 0.26],
            rowHeights=[14 * mm] * len(rows),
        )
        table.setStyle(
            TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("FONT", (0, 0), (-1, -1), self.font)]
            )
        )
        seal = Table(
            [[self.p(self.t("seal_box"), self.small)]],
            colWidths=[55 * mm],
            rowHeights=[40 * mm],
            hAlign="RIGHT",
        )
        seal.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, GRID),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("FONT", (0, 0), (-1, -1), self.font),
                ]
            )
        )
        return [
            KeepTogether(
                [self.p(self.t("signatures"), self.h1), table, Spacer(1, 8 * mm), seal]
            )
        ]

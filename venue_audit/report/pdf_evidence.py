"""The evidence pages: 电子数据清单, integrity check, face data stores, and the method."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
)

from venue_audit.report import i18n, labels
from venue_audit.report.layout import (
    ALERT,
    CONTENT_WIDTH,
    LayoutBase,
    clip,
    safe,
    seconds,
)
from venue_audit.report.load import in_zone


class EvidencePages(LayoutBase):
    """Evidence list, integrity table, stores and method."""

    def evidence(self) -> list[Flowable]:
        items = self.data.evidence
        shown = items[: self.options.max_evidence_rows]
        story: list[Flowable] = [
            self.heading(self.t("evidence_list")),
            self.p(self.t("evidence_intro"), self.small),
            self.p(
                i18n.labelled(
                    self.t("evidence_set_hash"),
                    self.data.summary.get("evidence", {}).get("manifest_sha256", ""),
                    self.lang,
                ),
                self.small,
            ),
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
                    f"{self.t('path')} / {self.t('type')} / {self.t('size')} / "
                    f"{self.t('mtime_zone', tz=self.data.case.tz)}",
                    self.cell_head,
                ),
                self.p(self.t("hashes"), self.cell_head),
            ]
        ]
        for number, item in enumerate(shown, 1):
            described = (
                f"{safe(self.shorten(item.path, 'manifest'))}<br/>{safe(item.type)} | {safe(str(item.size))} | "
                f"{safe(self.modified(item.mtime))}"
                + (
                    f"<br/>{safe(i18n.labelled(self.t('acquired_at'), item.acquired_at, self.lang))}"
                    if item.acquired_at
                    else ""
                )
                + (
                    f"<br/><font color='#b00020'>"
                    f"{safe(self.t('disguised', ext=item.disguised, type=item.type))}</font>"
                    if item.disguised
                    else ""
                )
            )
            hashes = (
                f"MD5 {safe(item.md5)}<br/>SHA-256 {safe(item.sha256)}<br/>SM3 {safe(item.sm3)}"
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

    def modified(self, mtime: str) -> str:
        """A file's modification time in the case zone; an archive entry's time, which no
        zip records an offset for, as stored and said to have none."""
        shown = seconds(in_zone(mtime, self.data.case.tz))
        try:
            naive = bool(mtime) and datetime.fromisoformat(mtime).tzinfo is None
        except ValueError:
            naive = False
        return self.t("mtime_no_offset", time=shown) if naive else shown

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
                    self.p(self.shorten(item.path, "manifest"), self.cell),
                    Paragraph(
                        f"{safe(item.sha256)}<br/>{safe(item.verified_sha256 or self.t('unchecked'))}",
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
                "exact_duplicates",
                "deleted_recoverable",
            )
        ]
        rows: list[list[Any]] = [[self.p(h, self.cell_head) for h in header]]
        for store in stores[: self.options.max_stores_rows]:
            rows.append(
                [
                    self.p(v, self.cell)
                    for v in (
                        self.shorten(store.path, "summary")
                        + (
                            f"\n{self.t('offsite_mark', why=i18n.offsite_why(store.offsite, self.lang))}"
                            if store.offsite
                            else ""
                        ),
                        i18n.label(labels.STORE_KINDS, store.kind, self.lang),
                        i18n.label(labels.PROFILES, store.profile, self.lang)
                        if store.profile in labels.PROFILES
                        else store.profile,
                        store.records,
                        store.face_images,
                        store.face_templates,
                        store.exact_duplicates,
                        store.deleted_recoverable,
                    )
                ]
            )
        widths = [0.28, 0.1, 0.11, 0.1, 0.09, 0.1, 0.1, 0.12]
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
                self.key_value_table(
                    [
                        (i18n.label(labels.ENVIRONMENT, k, self.lang), v)
                        for k, v in method.environment.items()
                    ],
                    mono_values=False,
                ),
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
                        (i18n.parameter_label(k, self.lang), i18n.parameter_value(v, self.lang))
                        for k, v in method.parameters.items()
                        if k.rpartition(".")[2] != "notes"  # a preset's English description
                    ],
                    mono_values=False,
                )
            )
        else:
            story.append(self.p(self.t("none")))
        clustering = i18n.pair(
            method.clustering_zh or method.clustering, method.clustering, self.lang, "\n"
        )
        if clustering.strip():
            story += [self.p(self.t("clustering"), self.h2), self.p(clustering)]
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
                    self.p(self.t("transformation_name"), self.cell_head),
                    self.p(self.t("count"), self.cell_head),
                    self.p(self.t("description"), self.cell_head),
                ]
            ]
            for step in method.transformations:
                rows.append(
                    [
                        self.p(i18n.label(labels.TRANSFORMATIONS, step.name, self.lang), self.cell),
                        self.p(self.t("not_counted") if step.count is None else step.count, self.cell),
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
                        safe(clip(command, self.options.max_command_chars)), self.mono_wrapped()
                    )
                )
        else:
            story.append(self.p(self.t("none")))
        story += [
            Spacer(1, 6),
            self.p(
                self.t("report_hash_note_signed" if self.options.signed else "report_hash_note"),
                self.small,
            ),
            self.p(self.t("font_note", font=self.options.fonts.source), self.small),
        ]
        story.append(PageBreak())
        return story

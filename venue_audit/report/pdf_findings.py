"""The findings pages: each finding with its cited law, charts, and the persons table."""

from __future__ import annotations

import io
import re
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from venue_audit.report import charts, i18n, labels, rules
from venue_audit.report.layout import (
    CONTENT_WIDTH,
    LayoutBase,
    safe,
)
from venue_audit.report.model import FindingSection, LogEvent, PersonRow
from venue_audit.report.redact import ThumbnailError, make_thumbnail

THUMBNAIL_LABEL_CHARS = 80  # a sixth of the page wide: a longer caption is abbreviated
# Log actions whose lines name files (packs, uploaded or deleted pictures), not face events.
LOG_FILE_KINDS = ("upload", "delete", "pack")


def natural_order(text: str) -> list[Any]:
    """Sort key reading digit runs as numbers: rowid 2 before rowid 10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


class FindingPages(LayoutBase):
    """Findings, thumbnails, charts and persons."""

    def findings(self) -> list[Flowable]:
        story: list[Flowable] = [self.heading(self.t("findings"))]
        if not self.data.findings:
            return [*story, self.p(self.t("no_findings")), PageBreak()]
        story.append(self.p(self.t("locator_notation"), self.small))
        for number, finding in enumerate(self.data.findings, 1):
            story.append(CondPageBreak(60 * mm))
            story.append(self.p(f"{number}. {self.finding_title(finding)}", self.h2))
            facts = [
                i18n.labelled(
                    self.t("severity"), i18n.severity_label(finding.severity, self.lang), self.lang
                ),
                i18n.labelled(self.t("finding_count"), self.counted(finding), self.lang),
            ]
            if self.lang == "en":
                line = "; ".join([*facts, i18n.labelled(self.t("rule"), finding.rule, self.lang)])
            else:
                line = "；".join(facts) + self.bracketed(self.t("rule_ref", rule=finding.rule))
            story.append(self.p(line, self.body))
            detail = i18n.pair(finding.detail_zh, finding.detail_en, self.lang, "\n").strip()
            if detail:
                story.append(self.p(detail))
            cited = rules.known_codes(finding.citations)
            if cited:
                story.append(self.p(i18n.labelled(self.t("citations"), "", self.lang), self.body))
                for index, code in enumerate(cited, 1):
                    story.append(self.p(f"({index}) {self.citation_full(code)}", self.small))
            later = rules.known_codes(finding.later_guidance)
            if later:
                story.append(self.p(self.t("later_guidance"), self.body))
                for index, code in enumerate(later, 1):
                    story.append(self.p(f"({index}) {self.citation_full(code)}", self.small))
            if finding.locators:
                story.append(self.p(self.t("locators"), self.small))
                shown = sorted(finding.locators, key=natural_order)[: self.options.max_locators]
                for locator in shown:
                    story.append(
                        Paragraph(safe(self.shorten(locator, "findings")), self.mono_wrapped())
                    )
                extra = len(finding.locators) - self.options.max_locators
                if extra > 0:
                    story.append(self.p(self.t("locators_more", n=extra), self.small))
            if finding.person_ids:
                ids = finding.person_ids[: self.options.max_person_ids]
                more = len(finding.person_ids) - len(ids)
                shown = i18n.listed([str(i) for i in ids], self.lang)
                shown += f" … (+{more})" if more > 0 else ""
                story.append(
                    self.p(i18n.labelled(self.t("persons_involved"), shown, self.lang), self.small)
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
            where = self.shorten(thumb.label, "manifest", limit=THUMBNAIL_LABEL_CHARS)
            label = (
                self.t("evidence_no", n=thumb.evidence_no, where=where)
                if thumb.evidence_no is not None
                else where
            )
            cells.append([picture, self.p(label, self.small)])
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
            self.p(self.t("chart_timeline_axes"), self.small),
            charts.captures_timeline(
                timeline.captures_per_day,
                timeline.log_events,
                fonts,
                self.lang,
                width=CONTENT_WIDTH,
            ),
            *self.log_event_table(),
            KeepTogether(
                [
                    self.p(self.t("chart_retention"), self.h2),
                    self.p(self.t("chart_retention_axes"), self.small),
                    charts.retention_histogram(
                        self.data.retention_ages_days,
                        self.data.retention_limit_days,
                        fonts,
                        self.lang,
                        width=CONTENT_WIDTH,
                    ),
                ]
            ),
            KeepTogether(
                [
                    self.p(self.t("chart_status"), self.h2),
                    charts.status_bars(by_status, fonts, self.lang, width=CONTENT_WIDTH),
                ]
            ),
            PageBreak(),
        ]

    def log_event_table(self) -> list[Flowable]:
        """Log events per kind and remote host: where the data went, how often, how much."""
        groups: dict[tuple[str, str], list[LogEvent]] = {}
        for event in self.data.timeline.log_events:
            groups.setdefault((event.kind, event.remote_host), []).append(event)
        if not groups:
            return [Spacer(1, 4), self.p(self.t("log_events_none"), self.body)]
        header = ("action", "remote", "days", "log_lines", "log_files", "first_seen", "last_seen")
        rows: list[list[Any]] = [[self.p(self.t(k), self.cell_head) for k in header]]
        for (kind, remote), events in sorted(groups.items()):
            stated = [e.files for e in events if e.files is not None]
            rows.append(
                [
                    self.p(self.event_kind(kind), self.cell),
                    self.p(remote or self.t("remote_none"), self.cell),
                    self.p(len({e.date for e in events}), self.cell),
                    self.p(sum(e.lines for e in events), self.cell),
                    self.p(sum(stated) if stated else self.t("not_stated"), self.cell),
                    self.p(min(e.date for e in events), self.cell),
                    self.p(max(e.date for e in events), self.cell),
                ]
            )
        widths = (0.1, 0.3, 0.08, 0.1, 0.12, 0.15, 0.15)
        story = [Spacer(1, 4), self.table(rows, [CONTENT_WIDTH * w for w in widths])]
        for (kind, _), events in sorted(groups.items()):
            linked, unlinked = sum(e.linked for e in events), sum(e.unlinked for e in events)
            if linked or unlinked:
                # upload / delete / pack lines name files; any other kind is a device's face event
                wording = "log_files_linked" if kind in LOG_FILE_KINDS else "device_events_linked"
                story.append(
                    self.p(
                        self.t(wording, kind=self.event_kind(kind), linked=linked, unlinked=unlinked),
                        self.small,
                    )
                )
        return story

    def event_kind(self, kind: str) -> str:
        """A timeline event's action in the report's words: upload, delete, pack, device events."""
        legend = f"legend_{kind}"
        if legend in i18n.STRINGS:
            return self.t(legend)
        return i18n.label(labels.EVENT_KINDS, kind, self.lang)

    def persons(self) -> list[Flowable]:
        persons = sorted(self.data.persons, key=lambda p: (-p.records, p.id))
        shown = persons[: self.options.max_persons_rows]
        story: list[Flowable] = [
            self.heading(self.t("persons")),
            self.p(self.t("persons_top", shown=len(shown), total=len(persons)), self.small),
        ]
        if not shown:
            return [*story, PageBreak()]
        header = [
            self.t(k)
            for k in (
                "person_id", "venue_keys", "consent_matched", "stores_cameras", "captured",
                "records_live_deleted", "status",
            )
        ]
        rows: list[list[Any]] = [[self.p(h, self.cell_head) for h in header]]
        tz = self.data.case.tz
        for person in shown:
            lines = [*person.consent_rows, *self.consent_notes(person)]
            if not person.consent_rows and not person.consent_notes:
                lines.insert(0, self.t("consent_none"))
            if person.status == "only_deleted" and person.consent_status:
                lines.append(
                    self.t(
                        "consent_judged",
                        status=i18n.status_label(person.consent_status, self.lang),
                    )
                )
            consent = self.listed(lines, "persons")
            records = str(person.records)
            if person.deleted_records:
                records += "\n" + self.t("deleted_suffix", n=person.deleted_records)
            rows.append(
                [
                    self.p(person.id, self.cell),
                    self.p(self.listed(person.keys, "persons") or self.t("keys_none"), self.cell),
                    self.p(consent, self.cell),
                    self.p(
                        self.listed([*person.stores, *person.cameras], "persons") or "—",
                        self.cell,
                    ),
                    self.p(self.capture_times(person, tz), self.cell),
                    self.p(records, self.cell),
                    self.p(i18n.status_label(person.status, self.lang), self.cell),
                ]
            )
        widths = (0.06, 0.13, 0.17, 0.22, 0.22, 0.08, 0.12)
        story.append(self.table(rows, [CONTENT_WIDTH * w for w in widths]))
        story.append(PageBreak())
        return story

    def capture_times(self, person: PersonRow, tz: str) -> str:
        """First and last capture, each with its clock unless both share one."""
        first = i18n.clock_label(person.first_seen_source, self.lang, tz, person.first_seen_offset)
        last = i18n.clock_label(person.last_seen_source, self.lang, tz, person.last_seen_offset)
        if first == last:
            return f"{person.first_seen}\n{person.last_seen}\n{first}"
        return f"{person.first_seen}\n{first}\n{person.last_seen}\n{last}"

    def consent_notes(self, person: PersonRow) -> list[str]:
        return i18n.consent_reasons(person.consent_notes, person.consent_reason, self.lang)

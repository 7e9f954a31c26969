"""The self-audit report (合规自查报告): the examination report's layout, worded for a business.

Every section of the evidence report is reused as it is — the same numbers, the same evidence
list, method, findings, persons and annexes — with the self-audit's wording
(:mod:`venue_audit.report.self_audit_wording`) and three sections of its own: the duties the
numbers trigger, the to-delete list, and the before/after page of the deletion check. The cover
is not an examination record: it names one responsible person and says plainly that the report
is not an examination report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from venue_audit.remediation.wording import ACTION_LABELS, REASON_LABELS, STATE_LABELS
from venue_audit.report import i18n
from venue_audit.report.layout import ALERT, CONTENT_WIDTH
from venue_audit.report.pdf import _Layout
from venue_audit.report.self_audit_wording import SELF_AUDIT_STRINGS

MAX_LIST_ROWS = 200  # the rest is in the CSV/XLSX annex
MAX_OPEN_ROWS = 100
CHECK_STATES = ("deleted", "still_present", "still_recoverable", "not_checked")
DUTY_TITLES = {"filing": "duty_filing", "impact_assessment": "duty_pia", "notice_consent": "duty_notice"}
LIST_ANNEX = "待删除清单.csv"


class SelfAuditLayout(_Layout):
    def t(self, key: str, **values: object) -> str:
        if key in SELF_AUDIT_STRINGS:
            zh, en = SELF_AUDIT_STRINGS[key]
            return i18n.pair(zh.format(**values), en.format(**values), self.lang)
        return super().t(key, **values)

    def label(self, table: dict[str, dict[str, str]], key: str) -> str:
        entry = table.get(key, {"zh": key, "en": key})
        return i18n.pair(entry["zh"], entry["en"], self.lang)

    def sections(self) -> tuple[Callable[[], list[Flowable]], ...]:
        """The examination report's sections, with the self-audit's own after the summary."""
        base = super().sections()
        at = base.index(self.summary) + 1
        return (*base[:at], self.duties, self.to_delete, self.follow_up, *base[at:])

    # --- the examination report's sections, as a self-audit has them ------------------------

    def title_pair(self) -> tuple[str, str]:
        return SELF_AUDIT_STRINGS["report_title"]

    def cover_rows(self) -> list[tuple[str, str]]:
        """Who audited what, when; no examination record (委托、检材移交、见证人)."""
        wanted = ("case_no", "org", "venue", "examiners", "period", "tz", "as_of",
                  "evidence_set_hash", "report_id", "tool")
        labels = {self.t(key): key for key in wanted}
        return [(label, value) for label, value in super().cover_rows() if label in labels]

    def cover_notices(self) -> list[Flowable]:
        """Not an examination record, said on the cover; one responsible person is right."""
        notice = ParagraphStyle("notice", parent=self.big, textColor=ALERT, alignment=TA_CENTER)
        return [Spacer(1, 8 * mm), self.p(self.t("self_audit_notice"), notice), *self.sealed_notice()]

    def signers(self) -> list[tuple[str, str]]:
        return [(self.t("examiner_role"), name) for name in self.data.case.examiners]

    def verification(self) -> list[Flowable]:
        """The examiner's whole-baseline check only when the list was never checked: with a
        list, records meant to stay (consented) are not residue, and the before/after page
        says what matters."""
        section = self.data.self_audit
        if section is not None and section.follow_up is not None:
            return []
        return super().verification()

    # --- the self-audit's own sections -----------------------------------------------------

    def duties(self) -> list[Flowable]:
        section = self.data.self_audit
        if section is None:
            return []
        rows: list[list[Any]] = [
            [self.p(self.t(k), self.cell_head) for k in ("duty", "duty_verdict", "duty_facts")]
        ]
        for duty in section.obligations:
            facts = self.duty_facts(duty)
            basis = "；".join(self.citation_short(c) for c in duty["citations"])
            if duty["later_guidance"]:
                codes = "；".join(self.citation_short(c) for c in duty["later_guidance"])
                facts += "\n" + self.t("duty_later", codes=codes)
                if duty["key"] == "filing" and not duty["in_force"]:
                    facts += "\n" + self.t("duty_not_in_force", date=duty["in_force_from"])
            if basis:
                facts += f"\n{self.t('duty_basis')}: {basis}"
            rows.append(
                [
                    self.p(self.t(DUTY_TITLES[duty["key"]]), self.cell),
                    self.p(self.t(f"duty_{duty['verdict']}"), self.cell),
                    self.p(facts, self.cell),
                ]
            )
        return [
            self.heading(self.t("duties")),
            self.p(self.t("duties_intro"), self.small),
            Spacer(1, 4),
            self.table(rows, [CONTENT_WIDTH * w for w in (0.22, 0.16, 0.62)]),
            PageBreak(),
        ]

    def duty_facts(self, duty: dict[str, Any]) -> str:
        facts = duty["facts"]
        if duty["key"] == "filing":
            low, high = facts["interval"]
            return self.t(
                "duty_filing_facts", persons=facts["persons"], low=low, high=high,
                bound=facts["lower_bound"], threshold=facts["threshold"],
            )
        if duty["key"] == "impact_assessment":
            joiner = "；" if self.lang != "en" else "; "
            stores = joiner.join(
                f"{s['path']} ({s['records']})" for s in facts.get("stores", []) if s["records"]
            )
            sent = [
                self.t("duty_offsite_store", store=s["store"], copies=s["copies"] + s["matches"])
                for s in facts.get("offsite_stores", [])
            ] + list(facts.get("sent_to", []))
            text = self.t(
                "duty_pia_facts", records=facts["records"], images=facts["face_images"],
                templates=facts["face_templates"], persons=facts["persons"],
                deleted=facts["deleted_recoverable"], stores=stores or "-",
                first=(facts.get("first_capture") or "-")[:10],
                last=(facts.get("last_capture") or "-")[:10],
                retention=facts.get("retention_days") or "-",
                sent=joiner.join(sent) if sent else self.t("duty_sent_none"),
            )
            return f"{text}\n{self.t('duty_pia_todo')}"
        register = facts.get("register_name") if facts.get("register") else None
        text = self.t(
            "duty_notice_facts", rows=facts["consent_rows"],
            register=register or self.t("duty_no_register"), no_consent=facts["no_consent"],
            withdrawn=facts["withdrawn_retained"], before=facts["captured_before_consent"],
            purpose=facts["purpose_mismatch"], unreadable=facts["unreadable_rows"],
        )
        return f"{text}\n{self.t('duty_signs')}"

    def to_delete(self) -> list[Flowable]:
        section = self.data.self_audit
        if section is None:
            return []
        story: list[Flowable] = [
            self.heading(self.t("to_delete")),
            self.p(self.t("to_delete_intro", n=section.items, digest=section.digest), self.small),
            self.p(self.t("td_by_reason"), self.h2),
            self.table(
                [[self.p(self.t(k), self.cell_head) for k in ("td_reason", "td_records", "td_basis")]]
                + [
                    [
                        self.p(self.label(REASON_LABELS, r), self.cell),
                        self.p(n, self.cell),
                        self.p(
                            "；".join(
                                self.citation_short(c) for c in section.basis_by_reason.get(r, [])
                            ),
                            self.cell,
                        ),
                    ]
                    for r, n in section.by_reason.items()
                    if n
                ],
                [CONTENT_WIDTH * w for w in (0.25, 0.1, 0.65)],
            ),
        ]
        if section.tables:
            story.append(self.p(self.t("td_tables"), self.h2))
            for table in section.tables:
                story.append(
                    self.p(
                        self.t("td_table_line", database=table["database"], table=table["table"],
                               columns=table["key"], n=table["rows"]),
                        self.cell,
                    )
                )
        for remote in section.remotes:
            story.append(self.p(self.t("td_remote", remote=remote), self.cell))
        story += [
            self.p(self.t("td_steps_heading"), self.h2),
            self.p(self.t("td_steps"), self.cell),
            self.p(self.t("to_delete"), self.h2),
        ]
        rows: list[list[Any]] = [
            [
                self.p(self.t(k), self.cell_head)
                for k in ("no", "td_reason", "td_place", "td_action")
            ]
        ]
        for row in section.rows[:MAX_LIST_ROWS]:
            reasons = "、".join(self.label(REASON_LABELS, r) for r in row.reasons)
            place = self.shorten(row.place, LIST_ANNEX)
            if row.person_keys:
                place += f"\n{self.t('td_persons')}: {', '.join(row.person_keys)}"
            rows.append(
                [
                    self.p(row.number, self.cell),
                    self.p(f"{reasons}\n{self.label(STATE_LABELS, row.state)}", self.cell),
                    self.p(place, self.cell),
                    self.p(self.label(ACTION_LABELS, row.action), self.cell),
                ]
            )
        story.append(self.table(rows, [CONTENT_WIDTH * w for w in (0.07, 0.2, 0.48, 0.25)]))
        if len(section.rows) > MAX_LIST_ROWS:
            story.append(self.p(self.t("td_more", n=len(section.rows) - MAX_LIST_ROWS), self.small))
        story.append(PageBreak())
        return story

    def follow_up(self) -> list[Flowable]:
        """The before/after page: the list before the deletion, each item's state after it."""
        section = self.data.self_audit
        if section is None or section.follow_up is None:
            return []
        check = section.follow_up
        totals = check["totals"]
        before = check["before"]
        story: list[Flowable] = [
            self.heading(self.t("follow_up")),
            self.p(
                self.t(
                    "follow_up_intro", n=section.items,
                    live=check["before_totals"]["live"],
                    recoverable=check["before_totals"]["recoverable"],
                    after=check["after_case"], deleted=totals["deleted"],
                    present=totals["still_present"], still=totals["still_recoverable"],
                    unchecked=totals["not_checked"],
                )
            ),
            self.p(self.t("follow_up_done" if check["done"] else "follow_up_open"), self.big),
            Spacer(1, 4),
        ]
        heads = ["td_reason", "fu_before_live", "fu_before_recoverable"] + [
            f"state_{s}" for s in CHECK_STATES
        ]
        rows: list[list[Any]] = [[self.p(self.t(k), self.cell_head) for k in heads]]
        for reason, counts in check["after"].items():
            if not sum(counts.values()):
                continue
            rows.append(
                [self.p(self.label(REASON_LABELS, reason), self.cell)]
                + [self.p(before[reason][k], self.cell) for k in ("live", "recoverable")]
                + [self.p(counts[s], self.cell) for s in CHECK_STATES]
            )
        story.append(self.table(rows, [CONTENT_WIDTH * 0.22] + [CONTENT_WIDTH * 0.13] * 6))
        places = {row.number: row.place for row in section.rows}
        open_items = [c for c in check["items"] if c["state"] != "deleted"]
        if open_items:
            story.append(self.p(self.t("fu_open_items"), self.h2))
            table: list[list[Any]] = [
                [self.p(self.t(k), self.cell_head) for k in ("no", "td_place", "td_state", "fu_found_at")]
            ]
            for item in open_items[:MAX_OPEN_ROWS]:
                found = "\n".join(self.shorten(f["at"], "verification") for f in item["found"][:3])
                table.append(
                    [
                        self.p(item["number"], self.cell),
                        self.p(self.shorten(places.get(item["number"], ""), LIST_ANNEX), self.cell),
                        self.p(self.t(f"state_{item['state']}"), self.cell),
                        self.p(found or self.t("fu_not_covered"), self.cell),
                    ]
                )
            story.append(self.table(table, [CONTENT_WIDTH * w for w in (0.06, 0.38, 0.14, 0.42)]))
        story.append(PageBreak())
        return story

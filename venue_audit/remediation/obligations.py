"""Duties the audit's numbers trigger, computed from the counts and cited from the rule table.

Three duties follow from what a venue stores, whatever it meant to do:

- **filing** with the provincial CAC once face data of 100,000 persons is stored (Measures
  Art. 15, in force 2025-06-01). The count of persons is an estimate, so the duty is judged
  against the count, its interval and its conservative lower bound: *reached* when even the
  lower bound reaches the threshold, *possibly reached* when the count or the interval's upper
  end does, else *not reached*;
- a **personal-information impact assessment** (PIPL Arts 55–56) before processing sensitive
  personal information — every stored face is — filled in with the facts the audit found: what
  is stored, where, for how long, and to whom it was sent;
- **notice and consent gaps** the consent register shows: persons held without consent,
  captured before consenting, consent withdrawn but data kept, purposes outside the policy,
  a register missing altogether. Signs at the cameras cannot be seen in data; a capture
  without consent is where they are to be checked (PIPL Arts 17, 26).

Every duty carries citations only from the verified rule table, and only those in force at
the as-of date: conduct before 2025-06-01 is judged under PIPL, the Civil Code and the SPC
provisions, and the Measures are shown as later guidance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from venue_audit.case import Case
from venue_audit.findings import Citation, load_citations
from venue_audit.remediation.to_delete import read_meta

FILING_THRESHOLD = 100_000
FILING_CITATION = "Measures Art. 15"
PIA_CITATIONS = ("PIPL Art. 55", "PIPL Art. 56")
NOTICE_CITATIONS = ("PIPL Art. 17", "PIPL Art. 26", "PIPL Art. 29", "PIPL Art. 14")

REACHED, POSSIBLY_REACHED, NOT_REACHED = "reached", "possibly_reached", "not_reached"
REQUIRED, NOT_REQUIRED, GAPS, NO_GAPS = "required", "not_required", "gaps", "no_gaps"


@dataclass
class Obligation:
    """One duty: whether it applies, the facts it rests on, and its citations."""

    key: str  # "filing", "impact_assessment", "notice_consent"
    verdict: str
    in_force: bool  # whether the duty's own instrument was in force at the as-of date
    citations: list[str]
    later_guidance: list[str] = field(default_factory=list)
    in_force_from: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "verdict": self.verdict,
            "in_force": self.in_force,
            "in_force_from": self.in_force_from,
            "citations": self.citations,
            "later_guidance": self.later_guidance,
            "facts": self.facts,
        }


def _split(codes: tuple[str, ...] | list[str], as_of: date | None) -> tuple[list[str], list[str]]:
    """(citations in force at ``as_of``, later guidance), keeping only verified citations."""
    table: dict[str, Citation] = load_citations()
    known = [table[c] for c in codes if c in table]
    now = [c.code for c in known if c.in_force_for(as_of)]
    later = [c.code for c in known if not c.in_force_for(as_of)]
    return now, later


def filing_obligation(
    persons: int,
    as_of: date | None,
    interval: tuple[int, int] | None = None,
    lower_bound: int | None = None,
    threshold: int = FILING_THRESHOLD,
) -> Obligation:
    """The filing duty judged on the person count, its interval and its lower bound."""
    low, high = interval if interval is not None else (persons, persons)
    bound = persons if lower_bound is None else lower_bound
    if bound >= threshold:
        verdict = REACHED
    elif max(persons, high) >= threshold:
        verdict = POSSIBLY_REACHED
    else:
        verdict = NOT_REACHED
    now, later = _split([FILING_CITATION], as_of)
    in_force_from = load_citations()[FILING_CITATION].in_force.isoformat()
    return Obligation(
        key="filing",
        verdict=verdict,
        in_force=bool(now),
        citations=now,
        later_guidance=later,
        in_force_from=in_force_from,
        facts={
            "persons": persons,
            "interval": [low, high],
            "lower_bound": bound,
            "threshold": threshold,
        },
    )


def impact_assessment_obligation(facts: dict[str, Any], as_of: date | None) -> Obligation:
    """PIPL 55–56: required whenever face data (sensitive personal information) is processed."""
    now, later = _split(PIA_CITATIONS, as_of)
    stored = facts.get("records", 0) + facts.get("deleted_recoverable", 0)
    return Obligation(
        key="impact_assessment",
        verdict=REQUIRED if stored else NOT_REQUIRED,
        in_force=bool(now),
        citations=now,
        later_guidance=later,
        in_force_from=load_citations()[PIA_CITATIONS[0]].in_force.isoformat(),
        facts=facts,
    )


def notice_consent_obligation(gaps: dict[str, Any], as_of: date | None) -> Obligation:
    """Gaps in notice and consent that the consent register shows."""
    now, later = _split(NOTICE_CITATIONS, as_of)
    counted = [k for k in ("no_consent", "withdrawn_retained", "captured_before_consent",
                           "purpose_mismatch", "unreadable_rows") if gaps.get(k)]
    open_gap = bool(counted) or not gaps.get("register", True)
    return Obligation(
        key="notice_consent",
        verdict=GAPS if open_gap else NO_GAPS,
        in_force=bool(now),
        citations=now,
        later_guidance=later,
        in_force_from=load_citations()[NOTICE_CITATIONS[0]].in_force.isoformat(),
        facts=gaps,
    )


def case_obligations(case: Case, summary: dict[str, Any] | None = None) -> list[Obligation]:
    """The three duties of an assessed case, from its summary and its own tables."""
    from venue_audit.summary import build_summary

    summary = summary or build_summary(case)
    as_of = date.fromisoformat(summary["as_of"]) if summary.get("as_of") else None
    persons = summary.get("persons", {})
    distinct = int(persons.get("distinct", 0))
    interval = persons.get("interval") or persons.get("band") or [distinct, distinct]
    return [
        filing_obligation(
            distinct,
            as_of,
            (int(interval[0]), int(interval[1])),
            int(persons.get("lower_bound", distinct)),
        ),
        impact_assessment_obligation(_assessment_facts(case, summary), as_of),
        notice_consent_obligation(_consent_gaps(case, summary), as_of),
    ]


def _assessment_facts(case: Case, summary: dict[str, Any]) -> dict[str, Any]:
    """What is stored, where, for how long and to whom it was sent, as the audit found it."""
    faces = summary.get("faces", {})
    policy = read_meta(case, "policy") or {}
    first, last = case.db.execute(
        "select min(captured_at), max(captured_at) from artifacts where deleted = 0"
    ).fetchone()
    remotes = sorted(
        {
            row["remote"]
            for row in case.db.query(
                "select distinct remote from timeline_events where action in ('upload', 'transfer')"
                " and remote is not null and remote != ''"
            )
        }
    )
    uploads = case.db.execute(
        "select count(*), count(distinct substr(at, 1, 10)) from timeline_events"
        " where action in ('upload', 'transfer')"
    ).fetchone()
    from venue_audit.offsite import offsite_stores

    offsite = [
        {"store": s.store, "copies": s.copies, "matches": s.matches, "other": s.other}
        for s in offsite_stores(case)
    ]
    return {
        "records": faces.get("records", 0),
        "face_images": faces.get("face_images", 0),
        "face_templates": faces.get("face_templates", 0),
        "deleted_recoverable": faces.get("deleted_recoverable", 0),
        "persons": summary.get("persons", {}).get("distinct", 0),
        "stores": [
            {"path": s["path"], "kind": s["kind"], "records": s["records"]}
            for s in summary.get("stores", [])
        ],
        "first_capture": first,
        "last_capture": last,
        "retention_days": policy.get("retention_days"),
        "offsite_stores": offsite,
        "sent_to": remotes,
        "upload_events": uploads[0],
        "upload_days": uploads[1],
        "by_status": summary.get("persons", {}).get("by_status", {}),
    }


def _consent_gaps(case: Case, summary: dict[str, Any]) -> dict[str, Any]:
    by_status = summary.get("persons", {}).get("by_status", {})
    policy = read_meta(case, "policy") or {}
    flags: dict[str, int] = {}
    for row in case.db.query("select flags from persons where only_deleted = 0"):
        for flag in json.loads(row["flags"] or "[]"):
            flags[flag] = flags.get(flag, 0) + 1
    register = policy.get("consent_log")
    return {
        "register": bool(register) and not str(register).startswith("(no consent log"),
        "register_name": register,
        "consent_rows": case.db.execute("select count(*) from consents").fetchone()[0],
        "persons": summary.get("persons", {}).get("distinct", 0),
        "no_consent": by_status.get("no_consent", 0),
        "withdrawn_retained": by_status.get("withdrawn_retained", 0),
        "captured_before_consent": flags.get("captured_before_consent", 0),
        "purpose_mismatch": flags.get("purpose_mismatch", 0),
        "unlinked_consents": policy.get("unlinked_consents", 0),
        "unreadable_rows": len(policy.get("consent_problems", [])),
    }


"""The assess stage: consent status per person, then findings with legal citations.

Persons with live data are checked against the venue's consent log under a
retention and purpose policy, at a fixed as-of date (recorded, so the report
is reproducible). With no consent log at all, nobody can be shown to have
consented, so every person is ``no_consent``; the report says so.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from venue_audit.case import Case
from venue_audit.case.lock import writes_case
from venue_audit.consent import (
    AssessmentResult,
    ConsentLog,
    ConsentPolicy,
    PersonFacts,
    assess,
    load_consent_log,
    parse_timestamp,
)
from venue_audit.findings import CaseFacts, Finding, evaluate, load_rules
from venue_audit.offsite import offsite_stores
from venue_audit.scan import count_faces
from venue_audit.summary import latest_verdict
from venue_audit.user_files import require_inputs

ENROLMENT_MATCH_DISTANCE = 0.5
RESIDUAL_RULE = "residual-after-deletion"
PERSON_SPACE = "dlib-resnet-v1-128"


@dataclass
class AssessOutcome:
    assessment: AssessmentResult
    findings: list[Finding]
    consent_log: ConsentLog | None


def _person_facts(case: Case, only_deleted: bool = False) -> list[PersonFacts]:
    """Keys and capture times of the persons with live data (or of those only in deleted data,
    from their recovered records)."""
    keys: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    captures: dict[int, list] = defaultdict(list)
    tz = case.info.tz
    for row in case.db.query(
        "select distinct f.person_id, a.id, a.person_key, a.person_key_kind, a.captured_at from faces f"
        " join artifacts a on a.id = f.artifact_id join persons p on p.id = f.person_id"
        " where a.deleted = ? and p.only_deleted = ?",
        [int(only_deleted), int(only_deleted)],
    ):
        if row["person_key"]:
            keys[row["person_id"]][row["person_key_kind"] or "person_key"].add(row["person_key"])
        when = parse_timestamp(row["captured_at"], tz) if row["captured_at"] else None
        if when:
            captures[row["person_id"]].append(when)
    persons = [
        row["id"]
        for row in case.db.query(
            "select id from persons where only_deleted = ? order by id", [int(only_deleted)]
        )
    ]
    return [
        PersonFacts(str(p), {k: set(v) for k, v in keys[p].items()}, sorted(captures[p]))
        for p in persons
    ]


def _face_matcher(case: Case):
    """Enrolment template → the person whose faces it is nearest to (dlib space, strict threshold)."""
    rows = list(
        case.db.query(
            "select f.person_id, f.embedding from faces f join persons p on p.id = f.person_id"
            " where f.space = ? and p.only_deleted = 0",
            [PERSON_SPACE],
        )
    )
    if not rows:
        return None
    matrix = np.vstack([np.frombuffer(r["embedding"], dtype="<f4") for r in rows])
    owners = [r["person_id"] for r in rows]

    def match(embedding) -> str | None:
        vector = np.asarray(embedding, dtype=np.float32)
        if vector.shape != (matrix.shape[1],):
            return None
        distances = np.linalg.norm(matrix - vector, axis=1)
        best = int(np.argmin(distances))
        return str(owners[best]) if distances[best] <= ENROLMENT_MATCH_DISTANCE else None

    return match


def _face_encoder():
    from venue_audit.faces import FaceEngine, FaceInputError

    engine = FaceEngine()

    def encode(photo: bytes):
        try:
            faces = engine.analyze_image(photo).faces
        except FaceInputError:
            return None
        return faces[0].embedding.tolist() if len(faces) == 1 else None

    return encode


def _periods(case: Case) -> dict[str, tuple[date | None, date | None]]:
    """Person id -> first and last capture date of their live records, in the case's zone."""
    tz = case.info.tz
    periods: dict[str, tuple[date | None, date | None]] = {}
    for row in case.db.query(
        "select f.person_id, min(a.captured_at) as first, max(a.captured_at) as last from faces f"
        " join artifacts a on a.id = f.artifact_id where a.deleted = 0 and f.person_id is not null"
        " group by f.person_id"
    ):
        first = parse_timestamp(row["first"], tz) if row["first"] else None
        last = parse_timestamp(row["last"], tz) if row["last"] else None
        periods[str(row["person_id"])] = (
            first.date() if first else None,
            last.date() if last else None,
        )
    return periods


def _event_period(case: Case, actions: tuple[str, ...]) -> tuple[date | None, date | None]:
    marks = ",".join("?" * len(actions))
    row = case.db.execute(
        f"select min(at), max(at) from timeline_events where action in ({marks})", list(actions)
    ).fetchone()
    tz = case.info.tz
    first = parse_timestamp(row[0], tz) if row and row[0] else None
    last = parse_timestamp(row[1], tz) if row and row[1] else None
    return (first.date() if first else None, last.date() if last else None)


def _scan_facts(case: Case) -> dict[str, Any]:
    raw_kept = [
        r["locator"]
        for r in case.db.query(
            "select a.locator from artifacts a where a.deleted = 0 and a.kind in ('face_crop', 'raw_frame')"
            " and a.record_key in (select record_key from artifacts where kind = 'template' and deleted = 0)"
        )
    ]
    offsite = [
        f"{r['locator']}: {r['text']}"
        for r in case.db.query(
            "select locator, text from timeline_events where action in ('upload', 'transfer') order by at"
        )
    ]
    residual = []
    for row in case.db.query(
        "select value from case_meta where key like 'verify-deletion:%' order by key"
    ):
        residual = [item["baseline"] for item in json.loads(row["value"])["residual"]]
    locators: dict[str, list[str]] = defaultdict(list)
    for row in case.db.query(
        "select distinct f.person_id, a.locator from faces f join artifacts a on a.id = f.artifact_id"
        " where a.deleted = 0 and f.person_id is not null"
    ):
        locators[str(row["person_id"])].append(row["locator"])
    return {
        "raw_images_kept": raw_kept,
        "offsite_transfers": offsite,
        "residual_after_deletion": residual,
        "person_locators": locators,
        "records": count_faces(case).records,
        "offsite_stores": offsite_stores(case),
        "person_periods": _periods(case),
        "list_periods": {"offsite_transfers": _event_period(case, ("upload", "transfer"))},
    }


def judge_deletion(case: Case, command: list[str] | None = None) -> Finding | None:
    """The residual-data finding of the latest deletion verification, written to the findings.

    ``verify-deletion`` runs after the assessment; this adds (or refreshes, or removes)
    the one finding it supports, so every later summary and report carries it.
    """
    verdict = latest_verdict(case)
    residual = [str(item["baseline"]) for item in (verdict or {}).get("residual", [])]
    rules = [rule for rule in load_rules() if rule.id == RESIDUAL_RULE]
    as_of = _as_of_date(case)
    findings = evaluate(CaseFacts(residual_after_deletion=residual, as_of=as_of), rules)
    with case.db.conn:
        case.db.execute("delete from findings where rule = ?", [RESIDUAL_RULE])
        for finding in findings:
            _insert_finding(case, finding)
    if findings and command is not None:
        case.log("assess.deletion", {"residual": findings[0].count}, command)
    return findings[0] if findings else None


def _as_of_date(case: Case) -> date:
    row = next(iter(case.db.query("select as_of from case_info")), None)
    try:
        return date.fromisoformat(row["as_of"][:10]) if row and row["as_of"] else date.today()
    except ValueError:
        return date.today()


@writes_case
def assess_case(
    case: Case,
    consent_log: Path | None,
    policy_file: Path | None = None,
    links: list[tuple[str, str]] | None = None,
    as_of: date | str | None = None,
    command: list[str] | None = None,
) -> AssessOutcome:
    require_inputs((consent_log, "consent register"), (policy_file, "policy file"))
    policy = ConsentPolicy.from_toml(policy_file) if policy_file else ConsentPolicy()
    policy = policy.with_as_of(as_of)
    log = load_consent_log(consent_log, tz=case.info.tz) if consent_log else _no_log()
    persons = _person_facts(case)
    result = assess(
        persons,
        log,
        policy,
        links or [],
        _face_matcher(case),
        face_encoder=_face_encoder() if consent_log else None,
        tz=case.info.tz,
    )
    # Persons seen only in recovered deleted data get a consent status of their own: it is
    # reported beside "only in deleted data", never counted in the findings on live data.
    deleted_only = assess(
        _person_facts(case, only_deleted=True), log, policy, links or [], tz=case.info.tz
    )
    facts = _scan_facts(case)
    findings = evaluate(
        CaseFacts.from_assessment(
            result, distinct_persons=len(persons), as_of=policy.as_of or date.today(), **facts
        )
    )
    _store(case, log, result, findings, policy, consent_log, deleted_only)
    case.log(
        "assess",
        {
            "consent_log": str(consent_log) if consent_log else None,
            "policy": str(policy_file) if policy_file else "defaults",
            "as_of": policy.as_of.isoformat() if policy.as_of else None,
            "by_status": result.by_status,
            "by_flag": result.by_flag,
            "findings": {f.rule: f.count for f in findings},
            "consent_problems": len(log.problems),
        },
        command,
    )
    return AssessOutcome(result, findings, log)


def _no_log() -> ConsentLog:
    """The consent log of a venue that produced none: no row can cover anybody."""
    return ConsentLog(
        path=Path("(no consent log provided)"), format="none", table=None, headers=[], fields={}
    )


def _store(
    case: Case,
    log: ConsentLog,
    result: AssessmentResult,
    findings: list[Finding],
    policy: ConsentPolicy,
    source: Path | None,
    deleted_only: AssessmentResult | None = None,
) -> None:
    with case.db.conn:
        case.db.execute("delete from consents")
        case.db.execute("delete from findings")
        source = str(log.path.name)
        rows = [record.to_row(source) for record in log.records]
        if rows:
            case.db["consents"].insert_all(rows)
        case.db.execute("delete from consent_links")
        assessed = [result, *([deleted_only] if deleted_only else [])]
        links = [
            {"consent_id": link.consent_id, "person_id": int(link.person_id), "method": link.method}
            for outcome in assessed
            for link in outcome.links
        ]
        if links:
            case.db["consent_links"].insert_all(links)
        records = log.by_id()
        for outcome in assessed:
            for status in outcome.statuses:
                case.db["persons"].update(
                    int(status.person_id),
                    {
                        "consent_status": status.status,
                        "flags": json.dumps(sorted(status.flags)),
                        "consent_reason": status.reason,
                        "consent_notes": json.dumps(
                            [
                                {"code": n.code, "params": n.params, "text": n.text}
                                for n in status.notes
                            ],
                            ensure_ascii=False,
                            default=str,
                        ),
                        "consent_rows": json.dumps(
                            [records[c].locator for c in status.consent_ids if c in records],
                            ensure_ascii=False,
                        ),
                    },
                    alter=True,
                )
        for finding in findings:
            _insert_finding(case, finding)
        case.db["case_meta"].upsert(
            {
                "key": "policy",
                "value": json.dumps(
                    {
                        "retention_days": policy.retention_days,
                        "allowed_purposes": sorted(policy.allowed_purposes),
                        "consent_required_before_capture": policy.consent_required_before_capture,
                        "as_of": policy.as_of.isoformat() if policy.as_of else None,
                        "consent_log": str(source) if source else None,
                        "key_links": [link.__dict__ for link in result.key_links],
                        "unlinked_consents": len(result.unlinked_consents),
                        "consent_problems": [str(p) for p in result.problems][:200],
                        # the same problems, located and coded for the report's wording
                        "consent_problem_codes": [
                            {
                                "locator": p.locator,
                                "message": p.message,
                                "code": p.code,
                                "params": p.params,
                            }
                            for p in result.problems[:200]
                        ],
                    },
                    ensure_ascii=False,
                    default=str,
                ),
            },
            pk="key",
        )
        case.db.execute(
            "update case_info set as_of = ?", [policy.as_of.isoformat() if policy.as_of else None]
        )


def _insert_finding(case: Case, finding: Finding) -> None:
    case.db["findings"].insert(
        {
            "rule": finding.rule,
            "severity": finding.severity,
            "citations": json.dumps([c.code for c in finding.citations], ensure_ascii=False),
            "detail": json.dumps(
                {
                    "title_zh": finding.title_zh,
                    "title_en": finding.title_en,
                    "count": finding.count,
                    "unit": finding.unit,
                    "locators": finding.locators[:1000],
                    "person_ids": finding.person_ids[:10000],
                    "later_guidance": [c.code for c in finding.later_guidance],
                    "conduct": [d.isoformat() if d else None for d in finding.conduct],
                    **finding.detail,
                },
                ensure_ascii=False,
            ),
        }
    )

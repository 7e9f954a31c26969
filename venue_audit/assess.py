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
from venue_audit.findings import CaseFacts, Finding, evaluate
from venue_audit.offsite import offsite_stores
from venue_audit.scan import count_faces
from venue_audit.user_files import require_inputs

ENROLMENT_MATCH_DISTANCE = 0.5
PERSON_SPACE = "dlib-resnet-v1-128"


@dataclass
class AssessOutcome:
    assessment: AssessmentResult
    findings: list[Finding]
    consent_log: ConsentLog | None


def _person_facts(case: Case) -> list[PersonFacts]:
    keys: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    captures: dict[int, list] = defaultdict(list)
    tz = case.info.tz
    for row in case.db.query(
        "select distinct f.person_id, a.id, a.person_key, a.person_key_kind, a.captured_at from faces f"
        " join artifacts a on a.id = f.artifact_id join persons p on p.id = f.person_id"
        " where a.deleted = 0 and p.only_deleted = 0"
    ):
        if row["person_key"]:
            keys[row["person_id"]][row["person_key_kind"] or "person_key"].add(row["person_key"])
        when = parse_timestamp(row["captured_at"], tz) if row["captured_at"] else None
        if when:
            captures[row["person_id"]].append(when)
    persons = [
        row["id"]
        for row in case.db.query("select id from persons where only_deleted = 0 order by id")
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
    facts = _scan_facts(case)
    findings = evaluate(
        CaseFacts.from_assessment(
            result, distinct_persons=len(persons), as_of=policy.as_of or date.today(), **facts
        )
    )
    _store(case, log, result, findings, policy, consent_log)
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
) -> None:
    with case.db.conn:
        case.db.execute("delete from consents")
        case.db.execute("delete from findings")
        source = str(log.path.name)
        rows = [record.to_row(source) for record in log.records]
        if rows:
            case.db["consents"].insert_all(rows)
        case.db.execute("delete from consent_links")
        links = [{"consent_id": link.consent_id, "person_id": int(link.person_id), "method": link.method}
                 for link in result.links]
        if links:
            case.db["consent_links"].insert_all(links)
        for status in result.statuses:
            case.db["persons"].update(
                int(status.person_id),
                {
                    "consent_status": status.status,
                    "flags": json.dumps(sorted(status.flags)),
                },
            )
        for finding in findings:
            case.db["findings"].insert(
                {
                    "rule": finding.rule,
                    "severity": finding.severity,
                    "citations": json.dumps(
                        [c.code for c in finding.citations], ensure_ascii=False
                    ),
                    "detail": json.dumps(
                        {
                            "title_zh": finding.title_zh,
                            "title_en": finding.title_en,
                            "count": finding.count,
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

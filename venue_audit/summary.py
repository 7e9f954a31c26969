"""summary.json: the one machine-readable result of an audit (DESIGN.md contract).

Every number here is computed from case.db by the same functions the report
and the terminal use, so the PDF, the annexes and scripts can never disagree.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from venue_audit import __version__
from venue_audit.acquire import manifest_digest
from venue_audit.case import Case
from venue_audit.consent import STATUSES
from venue_audit.scan import count_faces

SCHEMA = "venue-audit.summary/1"


def build_summary(case: Case) -> dict[str, Any]:
    db = case.db
    files, size = db.execute(
        "select count(*), coalesce(sum(size), 0) from evidence where current = 1 and entry = 'file'"
    ).fetchone()
    counts = count_faces(case)
    stores = []
    for store in db.query("select id, locator, kind, profile from stores order by locator"):
        found = counts.by_store.get(store["id"])
        if found and (found.records or found.duplicates):
            stores.append(
                {
                    "path": store["locator"],
                    "kind": store["kind"],
                    "profile": store["profile"],
                    "records": found.records,
                    "face_images": found.face_images,
                    "face_templates": found.face_templates,
                    "exact_duplicates": found.duplicates,
                }
            )
    persons = list(db.query("select space, consent_status, only_deleted from persons"))
    live = [p for p in persons if not p["only_deleted"]]
    by_status = dict.fromkeys(
        ("consented", "no_consent", "withdrawn_retained", "expired_retained"), 0
    )
    for person in live:
        status = person["consent_status"] or "no_consent"
        by_status[status if status in STATUSES else "no_consent"] += 1
    identify = _meta(case, "identify") or {}
    band_low = sum(space.get("band", [0, 0])[0] for space in identify.values())
    band_high = sum(space.get("band", [0, 0])[1] for space in identify.values())
    only_deleted = len(persons) - len(live)
    findings = []
    for row in db.query("select rule, severity, citations, detail from findings order by id"):
        detail = json.loads(row["detail"] or "{}")
        findings.append(
            {
                "rule": row["rule"],
                "severity": row["severity"],
                "count": detail.get("count", 0),
                "citations": json.loads(row["citations"] or "[]"),
                "later_guidance": detail.get("later_guidance", []),
            }
        )
    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "case_no": case.info.case_no,
        "as_of": _as_of(case),
        "evidence": {"files": files, "bytes": size, "manifest_sha256": manifest_digest(case)},
        "stores": stores,
        "faces": counts.as_summary(),
        "persons": {
            "distinct": len(live),
            "only_in_deleted": only_deleted,
            "band": [max(0, band_low - only_deleted), max(0, band_high - only_deleted)],
            "by_space": dict(Counter(p["space"] for p in live)),
            "by_status": by_status,
        },
        "findings": findings,
        "skipped": db.execute("select count(*) from skipped").fetchone()[0],
    }


def _meta(case: Case, key: str) -> Any:
    row = next(iter(case.db.query("select value from case_meta where key = ?", [key])), None)
    return json.loads(row["value"]) if row else None


def _as_of(case: Case) -> str | None:
    row = next(iter(case.db.query("select as_of from case_info")), None)
    return row["as_of"] if row and row["as_of"] else None


def write_summary(case: Case, target: Any) -> dict[str, Any]:
    summary = build_summary(case)
    target.write_text(
        json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    return summary

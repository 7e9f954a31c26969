"""summary.json: the one machine-readable result of an audit (DESIGN.md contract).

Every number here is computed from case.db by the same functions the report
and the terminal use, so the PDF, the annexes and scripts can never disagree.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

from venue_audit import __version__
from venue_audit.acquire import manifest_digest
from venue_audit.case import Case
from venue_audit.consent import STATUSES
from venue_audit.offsite import offsite_stores
from venue_audit.scan import count_faces
from venue_audit.sources.profiles.registry import system_label

SCHEMA = "venue-audit.summary/1"


VERDICT_PREFIX = "verify-deletion:"  # case_meta keys verify-deletion writes


def build_summary(case: Case) -> dict[str, Any]:
    """The one reconciliation of records, stores and persons that every page and annex shows.

    A store is listed when it holds face data: live records, exact duplicates of
    records elsewhere, or deleted records; so the store count on the summary page
    and the rows of the store table are the same stores. Persons are split into
    those with live data (``distinct``) and those seen only in recovered deleted
    data (``only_in_deleted``); the persons table lists both, ``listed`` of them.
    """
    db = case.db
    files, size = db.execute(
        "select count(*), coalesce(sum(size), 0) from evidence where current = 1 and entry = 'file'"
    ).fetchone()
    counts = count_faces(case)
    deleted = dict(
        db.execute(
            "select store_id, count(distinct coalesce(record_key, 'artifact:' || id)) "
            "from artifacts where deleted = 1 group by store_id"
        ).fetchall()
    )
    offsite = {store.store: store for store in offsite_stores(case)}
    stores = []
    for store in db.query(
        "select id, locator, kind, profile, details from stores order by locator"
    ):
        found = counts.by_store.get(store["id"])
        records = found.records if found else 0
        duplicates = found.duplicates if found else 0
        if records or duplicates or deleted.get(store["id"]):
            away = offsite.get(store["locator"])
            stores.append(
                {
                    "path": store["locator"],
                    "kind": store["kind"],
                    "profile": store["profile"],
                    "system": system_label(store["profile"], _details(store["details"])),
                    "records": records,
                    "face_images": found.face_images if found else 0,
                    "face_templates": found.face_templates if found else 0,
                    "exact_duplicates": duplicates,
                    "deleted_recoverable": deleted.get(store["id"], 0),
                    "offsite": away.why if away else None,
                }
            )
    persons = list(db.query("select space, consent_status, only_deleted from persons"))
    live = [p for p in persons if not p["only_deleted"]]
    by_status = dict.fromkeys(STATUSES, 0)
    for person in live:
        status = person["consent_status"] or "no_consent"
        by_status[status if status in STATUSES else "no_consent"] += 1
    deleted_by_status = dict.fromkeys(STATUSES, 0)
    for person in persons:
        if person["only_deleted"]:
            status = person["consent_status"] or "no_consent"
            deleted_by_status[status if status in STATUSES else "no_consent"] += 1
    count = _meta(case, "persons_count") or {}
    interval = [int(v) for v in count.get("interval", [len(live), len(live)])]
    only_deleted = len(persons) - len(live)
    findings = []
    for row in db.query("select rule, severity, citations, detail from findings order by id"):
        detail = json.loads(row["detail"] or "{}")
        findings.append(
            {
                "rule": row["rule"],
                "severity": row["severity"],
                "count": detail.get("count", 0),
                "unit": detail.get("unit", "persons"),
                "citations": json.loads(row["citations"] or "[]"),
                "later_guidance": detail.get("later_guidance", []),
            }
        )
    as_of = _as_of(case)
    manifest = manifest_digest(case)
    verdict = latest_verdict(case)
    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "case_no": case.info.case_no,
        "as_of": as_of,
        "evidence": {
            "files": files,
            "bytes": size,
            "manifest_sha256": manifest,
        },
        "stores": stores,
        "faces": counts.as_summary(),
        "persons": {
            "distinct": len(live),
            "only_in_deleted": only_deleted,
            "listed": len(persons),
            # persons.uncertainty: from the split and merge rates measured on labelled faces
            "estimate": int(count.get("estimate", len(live))),
            "interval": interval,
            "lower_bound": int(count.get("lower_bound", len(live))),
            "by_space": dict(Counter(p["space"] for p in live)),
            "by_status": by_status,
            "only_in_deleted_by_status": deleted_by_status,
        },
        "offsite": [
            {k: v for k, v in store.as_dict().items() if k != "locators"}
            for store in offsite.values()
        ],
        "filing_threshold": _filing(len(live), interval, count.get("lower_bound"), as_of),
        **({"verification": verification_entry(verdict)} if verdict else {}),
        "findings": findings,
        "skipped": db.execute("select count(*) from skipped").fetchone()[0],
    }


def latest_verdict(case: Case) -> dict[str, Any] | None:
    """The newest stored verdict (as ``DeletionVerdict.as_json``), or None."""
    row = next(
        iter(
            case.db.query(
                "select value from case_meta where key like ? order by key desc limit 1",
                [VERDICT_PREFIX + "%"],
            )
        ),
        None,
    )
    if row is None:
        return None
    try:
        value = json.loads(row["value"])
    except (TypeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def verification_entry(verdict: dict[str, Any]) -> dict[str, Any]:
    """The ``verification`` block of summary.json."""
    totals = verdict.get("totals", {})
    return {
        "clean": bool(verdict.get("clean")),
        "checked": list(verdict.get("checked", [])),
        "gone": int(totals.get("gone", 0)),
        "recoverable": int(totals.get("recoverable", 0)),
        "remaining_live": int(totals.get("remaining_live", 0)),
        "residual": len(verdict.get("residual", [])),
    }


def _details(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return None


def _filing(
    persons: int, interval: list[int], lower_bound: int | None, as_of: str | None
) -> dict[str, Any]:
    """The Measures' filing duty at 100,000 persons (remediation.obligations judges it)."""
    from venue_audit.remediation.obligations import filing_obligation

    duty = filing_obligation(
        persons,
        date.fromisoformat(as_of) if as_of else None,
        (int(interval[0]), int(interval[1])),
        int(lower_bound) if lower_bound is not None else None,
    )
    return {
        "threshold": duty.facts["threshold"],
        "persons": persons,
        "reached": persons >= duty.facts["threshold"],
        # judged on the count, its interval and its lower bound
        "verdict": duty.verdict,
        "in_force": duty.in_force_from,
        "in_force_at_as_of": bool(as_of) and duty.in_force,
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

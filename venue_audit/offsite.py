"""Which stores sit outside the venue, and how much of the venue's face data they hold.

A copy of the venue's faces in a cloud bucket, a backup pulled from a cloud
path or a second host is the transfer itself: it proves the data left the
venue whether or not an upload log survives (the Qingpu case: the local
server looked clean because it packed, uploaded and deleted every day).

A store is off-site when the examiner marked its source so
(:func:`mark_offsite`, ``--offsite`` on ``acquire`` and ``audit``) or when its
path names a cloud or remote place (``cloud``, ``oss``, ``s3``, ``云`` ...).
Its records are then compared with the venue's own: byte-identical artifacts
(the same SHA-256) are *copies*; records whose faces belong to a person also
seen in a venue store are *matches*; the rest are listed as *other*.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from venue_audit.acquire.exports import absolute_path, manifest_rows
from venue_audit.case import Case
from venue_audit.findings import OffsiteStore

META_KEY = "offsite_sources"
# Whole words in a path that name a place outside the venue.
OFFSITE_WORDS = frozenset(
    {
        "cloud", "oss", "cos", "obs", "s3", "bucket", "aliyun", "aliyuncs", "qcloud",
        "myqcloud", "remote", "offsite", "nas-remote", "onedrive", "dropbox", "gdrive",
    }
)
OFFSITE_CHINESE = ("云端", "云盘", "云存储", "云备份", "异地", "远程", "云")


def mark_offsite(case: Case, paths: list[Path], command: list[str] | None = None) -> list[str]:
    """Record that the evidence under ``paths`` was taken from outside the venue."""
    marked = set(offsite_marks(case))
    added = [str(Path(p).absolute()) for p in paths if str(Path(p).absolute()) not in marked]
    if added:
        with case.db.conn:
            case.db["case_meta"].upsert(
                {"key": META_KEY, "value": json.dumps(sorted(marked | set(added)), ensure_ascii=False)},
                pk="key",
            )
        case.log("offsite.mark", {"paths": added}, command)
    return sorted(marked | set(added))


def offsite_marks(case: Case) -> list[str]:
    row = next(iter(case.db.query("select value from case_meta where key = ?", [META_KEY])), None)
    return list(json.loads(row["value"])) if row else []


def offsite_reason(path: str, marks: list[str], on_disk: str = "") -> str | None:
    """Why a store at ``path`` (display path; ``on_disk`` its file) is off-site, or None."""
    for mark in marks:
        if on_disk and (on_disk == mark or on_disk.startswith(mark.rstrip("/") + "/")):
            return "marked"
    lowered = path.lower()
    words = set(re.split(r"[^0-9a-z]+", lowered.split("!/")[0]))
    named = sorted(words & OFFSITE_WORDS)
    if named:
        return "path: " + ", ".join(named)
    chinese = [word for word in OFFSITE_CHINESE if word in path]
    return "path: " + chinese[0] if chinese else None


def offsite_stores(case: Case) -> list[OffsiteStore]:
    """Every off-site store with its copies, matches and other records of live face data."""
    marks = offsite_marks(case)
    evidence = {row["id"]: row for row in manifest_rows(case)}
    reasons: dict[int, str] = {}
    # A folder store has no evidence row of its own: its pictures say where it is.
    first_item = dict(
        case.db.execute("select store_id, min(evidence_id) from artifacts group by store_id").fetchall()
    )
    for store in case.db.query("select id, evidence_id, locator from stores"):
        row = evidence.get(store["evidence_id"] or first_item.get(store["id"]))
        on_disk = _on_disk(row, evidence) if row else ""
        reason = offsite_reason(store["locator"] or "", marks, on_disk)
        if reason:
            reasons[store["id"]] = reason
    if not reasons:
        return []
    artifacts = list(
        case.db.query(
            "select id, store_id, record_key, locator, sha256, captured_at from artifacts "
            "where deleted = 0 order by id"
        )
    )
    venue_hashes = {a["sha256"] for a in artifacts if a["store_id"] not in reasons and a["sha256"]}
    persons_of: dict[int, set[int]] = defaultdict(set)
    for face in case.db.query(
        "select artifact_id, person_id from faces where person_id is not null"
    ):
        persons_of[face["artifact_id"]].add(face["person_id"])
    venue_persons = {
        p for a in artifacts if a["store_id"] not in reasons for p in persons_of[a["id"]]
    }
    records: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for artifact in artifacts:
        if artifact["store_id"] in reasons:
            key = artifact["record_key"] or f"artifact:{artifact['id']}"
            records[(artifact["store_id"], key)].append(artifact)
    names = {s["id"]: s["locator"] for s in case.db.query("select id, locator from stores")}
    found = {sid: OffsiteStore(names[sid], why) for sid, why in reasons.items()}
    for (store_id, _), parts in sorted(records.items(), key=lambda item: item[1][0]["id"]):
        store = found[store_id]
        if all(a["sha256"] in venue_hashes for a in parts):
            store.copies += 1
        elif any(persons_of[a["id"]] & venue_persons for a in parts):
            store.matches += 1
        else:
            store.other += 1
            continue
        store.locators.append(parts[0]["locator"])
        for stamp in (a["captured_at"] for a in parts if a["captured_at"]):
            day = _day(stamp)
            if day:
                store.first = min(store.first or day, day)
                store.last = max(store.last or day, day)
    return [found[sid] for sid in sorted(found, key=lambda sid: names[sid])]


def _on_disk(row: dict[str, Any], evidence: dict[int, dict[str, Any]]) -> str:
    top = row
    while top["parent_id"] is not None and top["parent_id"] in evidence:
        top = evidence[top["parent_id"]]
    return absolute_path(top)


def _day(stamp: str) -> date | None:
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None

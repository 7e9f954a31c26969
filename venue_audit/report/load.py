"""Gather everything the report shows from ``case.db`` into a :class:`ReportData`.

The numbers come from the same functions as ``--json`` (``venue_audit.summary``
and ``venue_audit.scan.counts``), so the PDF, its annexes and scripts cannot
disagree; this module adds what only the report shows: the evidence list with
a report-time re-hash, per-day captures, retention ages, findings with their
pointers, method and custody. Optional tables are used when present:

- ``case_meta``: JSON values for ``parameters``, ``clustering``, ``models``,
  ``persons_band``, ``retention_days``, ``transformations``, ``place``,
  ``period_start``, ``period_end``, and the ``identify`` and ``policy`` entries
  the identify and assess stages write;
- ``timeline_events``: uploads, deletions and packing runs found in logs;
- ``thumbnails(artifact_id, image)``: small face images kept with ``--keep-thumbnails``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import platform
import re
import shlex
import sqlite3
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from venue_audit import TOOL_NAME
from venue_audit.acquire.exports import absolute_path, display_path, manifest_rows
from venue_audit.case import Case
from venue_audit.report import i18n
from venue_audit.report.model import (
    CaseDetails,
    CustodyEvent,
    EvidenceItem,
    FindingSection,
    LogEvent,
    Methodology,
    ModelFile,
    PersonRow,
    ReportData,
    SkippedItem,
    StoreRow,
    Thumbnail,
    Timeline,
    Transformation,
    VerificationSection,
)
from venue_audit.report.rules import rule_titles, severity_rank
from venue_audit.report.verification import section_from_json
from venue_audit.scan.counts import count_faces
from venue_audit.summary import build_summary as canonical_summary
from venue_audit.summary import latest_verdict

LIBRARIES = (
    "numpy",
    "pillow",
    "opencv-python-headless",
    "dlib-bin",
    "face-recognition-models",
    "pdqhash",
    "faiss-cpu",
    "scipy",
    "sqlite-utils",
    "reportlab",
    "pyhanko",
)
MAX_THUMBNAILS = 6
MAX_PERSON_LOCATORS = 1000

ThumbnailSource = Callable[[dict[str, Any]], bytes | None]


def load_report_data(
    case: Case,
    as_of: str | None = None,
    *,
    summary: dict[str, Any] | None = None,
    rehash: bool = False,
    verified_sha256: Mapping[int, str | None] | None = None,
    thumbnail_source: ThumbnailSource | None = None,
    findings: list[FindingSection] | None = None,
    verification: VerificationSection | None = None,
) -> ReportData:
    """Build the report's data from the case.

    ``rehash`` re-reads each top-level evidence file (read-only) for the
    integrity table; archive members inherit their container's result, since
    unchanged container bytes mean unchanged members. ``verified_sha256`` (by
    evidence id) supplies hashes computed elsewhere instead. ``summary``, when
    given, is shown as is instead of being recomputed; ``findings`` (e.g. from
    :func:`venue_audit.findings.evaluate` through
    :func:`venue_audit.report.rules.section_from_finding`) replace those read from
    the ``findings`` table.
    """
    db = case.db
    meta = _case_meta(db)
    policy = meta.get("policy") if isinstance(meta.get("policy"), dict) else {}
    summary = summary if summary is not None else canonical_summary(case)
    as_of = (
        as_of
        or summary.get("as_of")
        or case.info.as_of
        or policy.get("as_of")
        or date.today().isoformat()
    )
    events = case.custody_events()
    details = CaseDetails(
        case_no=case.info.case_no,
        venue=case.info.venue,
        examiners=list(case.info.examiners),
        title=case.info.title,
        org=case.info.org,
        tz=case.info.tz,
        created_at=case.info.created_at,
        as_of=as_of,
        place=str(meta.get("place", "") or case.info.place),
        commissioned_at=case.info.commissioned_at,
        material_source=case.info.material_source,
        handover_at=case.info.handover_at,
        requirements=case.info.requirements,
        witnesses=list(case.info.witnesses),
        holder=case.info.holder,
        period_start=str(
            meta.get("period_start") or (events[0]["at"] if events else case.info.created_at)
        ),
        period_end=str(meta.get("period_end") or (events[-1]["at"] if events else "")),
    )
    counts = count_faces(case)
    records = _live_records(db, set(counts.duplicate_records))
    if verification is None:
        stored = latest_verdict(case)
        verification = section_from_json(stored) if stored else None
    evidence = _evidence(case, rehash, verified_sha256 or {})
    if verification is not None and verification.raw:
        evidence += _after_evidence(verification.raw)
    stores = _stores(summary)
    findings = findings if findings is not None else _findings(db, thumbnail_source)
    band = next(
        (
            candidate
            for candidate in (
                meta.get("persons_band"),
                summary.get("persons", {}).get("band"),
                _latest_detail(events, "identify").get("band"),
            )
            if isinstance(candidate, list) and len(candidate) == 2 and candidate[1]
        ),
        None,
    )
    retention = meta.get("retention_days") or policy.get("retention_days")
    return ReportData(
        case=details,
        summary=summary,
        evidence=evidence,
        stores=stores,
        methodology=_methodology(case, meta, events),
        findings=findings,
        persons=_persons(db, case.info.tz, set(counts.duplicate_records)),
        persons_band=(int(band[0]), int(band[1]))
        if isinstance(band, list) and len(band) == 2
        else None,
        timeline=_timeline(db, records, case.info.tz),
        retention_ages_days=_retention_ages(records, as_of, case.info.tz),
        retention_limit_days=int(retention) if isinstance(retention, int | float) else None,
        custody=[_custody_event(e) for e in events],
        skipped=[
            SkippedItem(
                locator=r["locator"] or "", reason=r["reason"] or "", stage=r["stage"] or ""
            )
            for r in db.query("select * from skipped order by id")
        ],
        verification=verification,
    )


# -- pieces -------------------------------------------------------------------------------------


def _scalar(db: Any, sql: str, params: list[Any] | None = None) -> int:
    row = db.execute(sql, params or []).fetchone()
    return int(row[0] or 0) if row else 0


def _has_table(db: Any, name: str) -> bool:
    return name in db.table_names()


def _case_meta(db: Any) -> dict[str, Any]:
    if not _has_table(db, "case_meta"):
        return {}
    meta: dict[str, Any] = {}
    for row in db.query("select key, value from case_meta"):
        try:
            meta[row["key"]] = json.loads(row["value"])
        except (TypeError, json.JSONDecodeError):
            meta[row["key"]] = row["value"]
    return meta


def _evidence(case: Case, rehash: bool, given: Mapping[int, str | None]) -> list[EvidenceItem]:
    rows = manifest_rows(case)
    verified: dict[int, str | None] = dict(given)
    if rehash:
        by_id = {row["id"]: row for row in rows}
        for row in rows:
            if row["parent_id"] is None and row["entry"] == "file" and row["id"] not in verified:
                verified[row["id"]] = _sha256_of(Path(absolute_path(row)))
        for row in rows:
            if row["id"] in verified:
                continue
            top = row
            while top["parent_id"] is not None and top["parent_id"] in by_id:
                top = by_id[top["parent_id"]]
            if top is not row and top["id"] in verified:
                verified[row["id"]] = (
                    row["sha256"] if verified[top["id"]] == top["sha256"] else None
                )
    items = []
    for row in rows:
        items.append(
            EvidenceItem(
                path=display_path(row),
                type=row["type"] or row["entry"] or "",
                size=row["size"] or 0,
                mtime=row["mtime"] or "",
                md5=row["md5"] or "",
                sha256=row["sha256"] or "",
                sm3=row["sm3"] or "",
                acquired_at=row["acquired_at"] or "",
                verified_sha256=verified.get(row["id"]),
            )
        )
    return items


def _after_evidence(verdict: dict[str, Any]) -> list[EvidenceItem]:
    """The after-state sources verify-deletion acquired, hashed like the rest of the evidence."""
    after = Path(str(verdict.get("after_case", "")))
    if not (after / "case.db").is_file():
        return []
    after_case = Case(after)
    try:
        return [
            EvidenceItem(
                path=f"[{i18n.text('after_state', 'zh')}] {display_path(row)}",
                type=row["type"] or row["entry"] or "",
                size=row["size"] or 0,
                mtime=row["mtime"] or "",
                md5=row["md5"] or "",
                sha256=row["sha256"] or "",
                sm3=row["sm3"] or "",
                acquired_at=row["acquired_at"] or "",
            )
            for row in manifest_rows(after_case)
        ]
    finally:
        after_case.db.close()


def _sha256_of(path: Path) -> str | None:
    """The file's SHA-256 now, read-only; None when it can no longer be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _live_records(db: Any, duplicates: set[str]) -> list[str | None]:
    """The capture time of each live, non-duplicate record (counting as in scan.counts)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in db.query("select id, record_key, deleted, captured_at from artifacts order by id"):
        grouped[row["record_key"] or f"artifact:{row['id']}"].append(row)
    times = []
    for key, artifacts in grouped.items():
        if key in duplicates or any(a["deleted"] for a in artifacts):
            continue
        stamps = [a["captured_at"] for a in artifacts if a["captured_at"]]
        times.append(min(stamps) if stamps else None)
    return times


def _stores(summary: dict[str, Any]) -> list[StoreRow]:
    """The stores of the reconciliation (summary.json), so every page counts the same stores."""
    return [
        StoreRow(
            path=str(store.get("path", "")),
            kind=str(store.get("kind", "")),
            profile=str(store.get("profile", "")),
            records=int(store.get("records", 0)),
            face_images=int(store.get("face_images", 0)),
            face_templates=int(store.get("face_templates", 0)),
            deleted_recoverable=int(store.get("deleted_recoverable", 0)),
            exact_duplicates=int(store.get("exact_duplicates", 0)),
            offsite=store.get("offsite"),
        )
        for store in summary.get("stores", [])
    ]


def _findings(db: Any, thumbnail_source: ThumbnailSource | None) -> list[FindingSection]:
    """One section per rule from the ``findings`` table.

    Rows may be one per instance (a person or an artifact in ``person_id`` /
    ``artifact_id``) or one per rule with ``count``, ``locators`` and
    ``person_ids`` in ``detail``; both add up the same way.
    """
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in db.query("select * from findings order by id"):
        grouped[row["rule"]].append(row)
    sections = []
    for rule, rows in grouped.items():
        details = [_json_object(r["detail"]) for r in rows]
        citations: list[str] = []
        for row in rows:
            for cite in _json_list(row["citations"]):
                if cite not in citations:
                    citations.append(cite)
        severity = min((r["severity"] or "info" for r in rows), key=severity_rank)
        title_zh, title_en = rule_titles(rule)
        first = details[0]
        artifact_ids = [r["artifact_id"] for r in rows if r["artifact_id"] is not None]
        person_ids: list[int | str] = sorted(
            {r["person_id"] for r in rows if r["person_id"] is not None}
        )
        locators = _locators(db, artifact_ids, [p for p in person_ids if isinstance(p, int)])
        for detail in details:
            locators += [
                str(v)
                for v in detail.get("locators", [])
                if isinstance(detail.get("locators"), list)
            ]
            if isinstance(detail.get("person_ids"), list):
                person_ids += [p for p in detail["person_ids"] if p not in person_ids]
        if not locators and person_ids:
            locators = _locators(db, [], _numeric(person_ids)[:MAX_PERSON_LOCATORS])
        sections.append(
            FindingSection(
                rule=rule,
                severity=severity,
                title_zh=str(first.get("title_zh") or title_zh),
                title_en=str(first.get("title_en") or title_en),
                count=sum(d["count"] if isinstance(d.get("count"), int) else 1 for d in details),
                citations=citations,
                locators=locators,
                person_ids=person_ids,
                thumbnails=_thumbnails(
                    db, artifact_ids, _numeric(person_ids), locators, thumbnail_source
                ),
                detail_zh=str(first.get("text_zh", "")) or _offsite_text(first, "zh"),
                detail_en=str(first.get("text_en", "")) or _offsite_text(first, "en"),
                later_guidance=[str(c) for c in first.get("later_guidance", []) or []],
                conduct_first=str((first.get("conduct") or [None, None])[0] or ""),
                conduct_last=str((first.get("conduct") or [None, None])[1] or ""),
                unit=str(first.get("unit") or "persons"),
            )
        )
    sections.sort(key=lambda s: (severity_rank(s.severity), s.rule))
    return sections



def _offsite_text(detail: dict[str, Any], lang: str) -> str:
    """Per off-site store: the venue's records found there; then what the logs add."""
    stores = detail.get("stores")
    if not isinstance(stores, list):
        return ""
    lines = [
        i18n.text(
            "offsite_store_line",
            lang,
            store=store.get("store", ""),
            why=i18n.offsite_why(str(store.get("why", "")), lang),
            copies=store.get("copies", 0),
            matches=store.get("matches", 0),
            other=store.get("other", 0),
        )
        for store in stores
        if isinstance(store, dict)
    ]
    logged = int(detail.get("log_lines", 0) or 0)
    lines.append(
        i18n.text("offsite_logs", lang, n=logged) if logged else i18n.text("offsite_no_logs", lang)
    )
    return "\n".join(lines)


def _numeric(ids: list[int | str]) -> list[int]:
    """Person ids as integers (the assess stage stores them as strings in ``detail``)."""
    return [int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())]


def _locators(db: Any, artifact_ids: list[int], person_ids: list[int]) -> list[str]:
    """One pointer per finding instance: its artifact, or the person's earliest live artifact."""
    locators: list[str] = []
    for chunk in _chunks(artifact_ids):
        marks = ",".join("?" * len(chunk))
        locators += [
            r["locator"]
            for r in db.query(
                f"select id, locator from artifacts where id in ({marks}) order by id", chunk
            )
        ]
    if person_ids and not artifact_ids:
        for chunk in _chunks(person_ids):
            marks = ",".join("?" * len(chunk))
            locators += [
                r["locator"]
                for r in db.query(
                    "select f.person_id, min(a.id) as id, a.locator from faces f "
                    "join artifacts a on a.id = f.artifact_id "
                    f"where f.person_id in ({marks}) group by f.person_id order by f.person_id",
                    chunk,
                )
            ]
    return [loc for loc in locators if loc]


def _thumbnails(
    db: Any,
    artifact_ids: list[int],
    person_ids: list[int],
    locators: list[str],
    source: ThumbnailSource | None,
) -> list[Thumbnail]:
    """Up to six sample images: the finding's artifacts, else its persons', else its locators'."""
    has_table = _has_table(db, "thumbnails")
    if not has_table and source is None:
        return []
    candidates = list(artifact_ids[:50])
    if not candidates and locators:
        marks = ",".join("?" * min(len(locators), 50))
        candidates = [
            r["id"]
            for r in db.query(
                f"select id from artifacts where locator in ({marks}) "
                "and kind in ('face_crop', 'raw_frame') and deleted = 0 order by id",
                locators[:50],
            )
        ]
    if not candidates and person_ids:
        marks = ",".join("?" * min(len(person_ids), 50))
        candidates = [
            r["id"]
            for r in db.query(
                "select min(a.id) as id from faces f join artifacts a on a.id = f.artifact_id "
                f"where f.person_id in ({marks}) and a.kind in ('face_crop', 'raw_frame') "
                "group by f.person_id",
                person_ids[:50],
            )
        ]
    thumbs: list[Thumbnail] = []
    numbers = _evidence_numbers(db) if candidates else {}
    for artifact_id in candidates:
        if len(thumbs) >= MAX_THUMBNAILS:
            break
        artifact = next(iter(db.query("select * from artifacts where id = ?", [artifact_id])), None)
        if artifact is None or artifact["kind"] not in ("face_crop", "raw_frame"):
            continue
        image = None
        if has_table:
            row = next(
                iter(db.query("select image from thumbnails where artifact_id = ?", [artifact_id])),
                None,
            )
            image = row["image"] if row else None
        if image is None and source is not None:
            image = source(artifact)
        if image:
            thumbs.append(
                Thumbnail(
                    label=_locator_tail(artifact["locator"] or ""),
                    image=bytes(image),
                    evidence_no=numbers.get(artifact.get("evidence_id")),
                )
            )
    return thumbs


def _locator_tail(locator: str) -> str:
    """The part of a locator that tells two items of one evidence file apart: the row or member."""
    match = re.search(r"(rowid \d+|!/.*$)", locator)
    if match:
        return match.group(1).removeprefix("!/")
    return Path(locator).name


def _evidence_numbers(db: Any) -> dict[int, int]:
    """Evidence id -> its number in the evidence list (the order of manifest_rows)."""
    rows = db.query(
        "select e.id from evidence e join sources s on s.id = e.source_id "
        "where e.current = 1 order by s.root, e.path"
    )
    return {row["id"]: number for number, row in enumerate(rows, 1)}


def _persons(db: Any, tz: str, duplicates: set[str] | None = None) -> list[PersonRow]:
    """Every person, live or only in deleted data, with what lets a reader check them.

    Records are counted as the summary counts them: an exact duplicate (a backup's copy
    of a server row) is not a second record, though its store is listed.
    """
    duplicates = duplicates or set()
    seen: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"keys": {}, "stores": {}, "cameras": {}, "live": set(), "deleted": set(),
                 "times": []}
    )
    camera = ", a.camera" if "camera" in db["artifacts"].columns_dict else ", null as camera"
    for row in db.query(
        "select f.person_id, a.id, a.record_key, a.deleted, a.person_key, a.person_key_kind,"
        f" a.captured_at, a.captured_at_source, s.locator as store{camera} from faces f"
        " join artifacts a on a.id = f.artifact_id left join stores s on s.id = a.store_id"
        " where f.person_id is not null"
    ):
        person = seen[row["person_id"]]
        if row["person_key"]:
            person["keys"][f"{row['person_key_kind'] or 'key'}={row['person_key']}"] = None
        if row["store"]:
            person["stores"][row["store"]] = None
        if row["camera"]:
            person["cameras"][str(row["camera"])] = None
        key = row["record_key"] or f"artifact:{row['id']}"
        if key in duplicates:
            continue
        person["deleted" if row["deleted"] else "live"].add(key)
        if row["captured_at"]:
            person["times"].append((row["captured_at"], row["captured_at_source"] or "", row["deleted"]))
    rows = []
    for r in db.query("select * from persons order by id"):
        person = seen[r["id"]]
        live_times = [t for t in person["times"] if not t[2]] or person["times"]
        ordered = sorted(live_times, key=lambda t: _instant(t[0]))
        first = ordered[0] if ordered else (r["first_seen"] or "", "", 0)
        last = ordered[-1] if ordered else (r["last_seen"] or "", "", 0)
        consent = r.get("consent_status") or ("" if r["only_deleted"] else "no_consent")
        rows.append(
            PersonRow(
                id=r["id"],
                records=len(person["live"]) if person["live"] or person["deleted"] else (
                    r["n_records"] if r["n_records"] is not None else (r["n_faces"] or 0)
                ),
                deleted_records=len(person["deleted"]),
                first_seen=_in_zone(first[0], tz),
                last_seen=_in_zone(last[0], tz),
                first_seen_source=first[1],
                last_seen_source=last[1],
                status="only_deleted" if r["only_deleted"] else consent,
                consent_status=consent,
                consent_rows=_json_list(r.get("consent_rows")),
                consent_reason=str(r.get("consent_reason") or ""),
                space=r["space"] or "",
                keys=list(person["keys"]),
                stores=list(person["stores"]),
                cameras=list(person["cameras"]),
            )
        )
    return rows


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return datetime.max
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _in_zone(value: str, tz: str) -> str:
    """An ISO time in the case's zone, with its offset; a time without one is left as read."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def _timeline(db: Any, records: list[str | None], tz: str) -> Timeline:
    zone = ZoneInfo(tz)
    per_day: Counter[str] = Counter()
    for captured_at in records:
        day = _local_day(captured_at, zone)
        if day:
            per_day[day] += 1
    events: list[LogEvent] = []
    if _has_table(db, "timeline_events"):
        grouped: Counter[tuple[str, str, str]] = Counter()
        for row in db.query("select * from timeline_events"):
            day = _local_day(row.get("at"), zone)
            if day:
                kind = event_kind(str(row.get("action") or row.get("kind") or ""))
                remote = str(row.get("remote") or row.get("remote_host") or "")
                grouped[(day, kind, remote)] += int(row.get("count") or 1)
        events = [
            LogEvent(date=d, kind=k, count=n, remote_host=h)
            for (d, k, h), n in sorted(grouped.items())
        ]
    return Timeline(captures_per_day=dict(sorted(per_day.items())), log_events=events)


def event_kind(action: str) -> str:
    """Map a log reader's action word onto the chart's upload / delete / pack marks."""
    lowered = action.lower()
    for words, kind in (
        (("upload", "send", "sync", "transfer", "push", "put"), "upload"),
        (("delet", "remov", "purge", "unlink", "clean"), "delete"),
        (("pack", "zip", "archiv", "compress", "tar"), "pack"),
    ):
        if any(word in lowered for word in words):
            return kind
    return lowered or "other"


def _retention_ages(records: list[str | None], as_of: str, tz: str) -> list[int]:
    zone = ZoneInfo(tz)
    try:
        reference = date.fromisoformat(as_of[:10])
    except ValueError:
        return []
    ages = []
    for captured_at in records:
        day = _local_day(captured_at, zone)
        if day:
            ages.append(max(0, (reference - date.fromisoformat(day)).days))
    return ages


def _local_day(value: str | None, zone: ZoneInfo) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.date().isoformat()


def _latest_detail(events: list[dict[str, Any]], action: str) -> dict[str, Any]:
    for event in reversed(events):
        if event["action"] == action:
            return _json_object(event["detail"])
    return {}


def _parameters(meta: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the examiner needs to rerun the scan and the clustering with the same settings.

    ``case_meta.parameters`` wins when a stage wrote one; otherwise the scan's
    engine options (custody ``scan.start``) and each embedding space's
    clustering parameters (``case_meta.identify``) are gathered.
    """
    if isinstance(meta.get("parameters"), dict):
        return dict(meta["parameters"])
    parameters: dict[str, Any] = {}
    for event in reversed(events):
        detail = _json_object(event["detail"])
        if isinstance(detail.get("parameters"), dict):
            parameters.update(detail["parameters"])
            break
    engine = _latest_detail(events, "scan.start").get("engine")
    if isinstance(engine, dict):
        parameters.update({k: v for k, v in engine.items() if not str(k).startswith("_")})
    identify = meta.get("identify")
    if isinstance(identify, dict):
        for space, entry in identify.items():
            if isinstance(entry, dict) and isinstance(entry.get("parameters"), dict):
                for key, value in entry["parameters"].items():
                    parameters[f"{space}.{key}"] = value
    return parameters


def _clustering_text(meta: dict[str, Any], lang: str) -> str:
    """How persons were counted, per embedding space, in the report's language.

    The persons stage's own description is English; the Chinese text is built from
    its parameters, so a zh report never switches language mid-section.
    """
    if isinstance(meta.get("clustering"), str):
        return meta["clustering"]
    identify = meta.get("identify")
    if not isinstance(identify, dict):
        return ""
    parts = []
    for space, entry in identify.items():
        if not isinstance(entry, dict):
            continue
        if lang == "en":
            parts.append(f"{space}: {entry.get('method', '')} Persons: {entry.get('persons', '')}.")
            continue
        params = entry.get("parameters") if isinstance(entry.get("parameters"), dict) else {}
        sweep = params.get("band") if isinstance(params.get("band"), list) else ["—", "—"]
        band = entry.get("band") if isinstance(entry.get("band"), list) else ["—", "—"]
        parts.append(
            i18n.text(
                "clustering_text",
                "zh",
                space=space,
                metric=params.get("metric", "—"),
                k=params.get("k", "—"),
                link=params.get("link_threshold", "—"),
                merge=params.get("merge_threshold", "—"),
                seed=params.get("seed", "—"),
                sweep_low=sweep[0],
                sweep_high=sweep[-1],
                steps=params.get("band_steps", "—"),
                low=band[0],
                high=band[-1],
                persons=entry.get("persons", "—"),
            )
        )
    return "\n".join(parts)

def _methodology(case: Case, meta: dict[str, Any], events: list[dict[str, Any]]) -> Methodology:
    parameters = _parameters(meta, events)
    models = [
        ModelFile(
            name=str(m.get("name", "")),
            sha256=str(m.get("sha256", "")),
            path=str(m.get("path", "")),
        )
        for m in meta.get("models", [])
        if isinstance(m, dict)
    ]
    if not models and _scalar(case.db, "select count(*) from faces") > 0:
        models = installed_model_files()
    return Methodology(
        tool_name=TOOL_NAME,
        tool_version=case.info.tool_version,
        environment={
            "python": sys.version.split()[0],
            "os": f"{platform.system()} {platform.release()}",
            "machine": platform.machine(),
            "sqlite": sqlite3.sqlite_version,
            "host": events[-1]["host"] if events else platform.node(),
        },
        libraries=_library_versions(),
        models=models,
        parameters=parameters,
        clustering=_clustering_text(meta, "en"),
        clustering_zh=_clustering_text(meta, "zh"),
        transformations=_transformations(case.db, meta),
        commands=_commands(events),
    )


def installed_model_files() -> list[ModelFile]:
    """The dlib model files of face_recognition_models with their SHA-256."""
    return list(_installed_model_files())


@functools.cache
def _installed_model_files() -> tuple[ModelFile, ...]:
    # Cached: 130 MB of weights, unchanged while the process lives.
    try:
        import face_recognition_models
    except ImportError:
        return ()
    folder = Path(face_recognition_models.face_recognition_model_location()).parent
    return tuple(
        ModelFile(name=path.name, sha256=_sha256_of(path) or "", path=str(path))
        for path in sorted(folder.glob("*.dat"))
    )


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


TRANSFORMATION_TEXT: dict[str, tuple[str, str]] = {
    "archive_members": (
        "压缩包成员在内存中读取并逐一计算哈希，不解压到检材目录。",
        "Archive members read in memory and hashed one by one; never extracted "
        "into the evidence folder.",
    ),
    "wal_replay": (
        "读取 SQLite 预写日志（WAL）中尚未合并的页面，恢复已被删除或覆盖的记录。",
        "SQLite write-ahead-log frames not yet checkpointed were read to recover deleted "
        "or overwritten rows.",
    ),
    "free_pages": (
        "解析 SQLite 空闲页与空闲块中残留的记录。",
        "Rows left in SQLite free pages and freeblocks were parsed.",
    ),
    "journal": ("解析回滚日志中的旧页面。", "Old pages in rollback journals were parsed."),
    "carving": (
        "在未分配空间中按记录结构或图像文件头尾特征雕刻出数据。",
        "Records or images were carved from unallocated space by their record structure or "
        "their file headers and trailers.",
    ),
    "recovered": ("其他方式恢复的已删除记录。", "Deleted records recovered by other means."),
    "template_decoding": (
        "数据库中的人脸特征模板按 float32 小端格式规范化后计算 SHA-256。",
        "Face templates in databases were canonicalised to float32 little-endian before hashing.",
    ),
    "video_frames": (
        "视频按固定间隔抽帧后检测人脸。",
        "Videos were sampled at fixed intervals and frames searched for faces.",
    ),
}


def _transformations(db: Any, meta: dict[str, Any]) -> list[Transformation]:
    given = meta.get("transformations")
    if isinstance(given, list) and given:
        return [
            Transformation(
                name=str(t.get("name", "")),
                description_zh=str(t.get("description_zh", "")),
                description_en=str(t.get("description_en", "")),
                count=t.get("count") if isinstance(t.get("count"), int) else None,
            )
            for t in given
            if isinstance(t, dict)
        ]
    counts: Counter[str] = Counter()
    counts["archive_members"] = _scalar(
        db, "select count(*) from evidence where current = 1 and parent_id is not null"
    )
    for row in db.query("select locator from artifacts where deleted = 1"):
        counts[_recovery_method(row["locator"] or "")] += 1
    counts["template_decoding"] = _scalar(
        db, "select count(*) from artifacts where kind = 'template'"
    )
    counts["video_frames"] = _scalar(
        db, "select count(*) from artifacts where kind = 'video_frame'"
    )
    return [
        Transformation(name=name, description_zh=zh, description_en=en, count=counts[name])
        for name, (zh, en) in TRANSFORMATION_TEXT.items()
        if counts[name]
    ]


def _recovery_method(locator: str) -> str:
    lowered = locator.lower()
    for marker, method in (
        ("wal", "wal_replay"),
        ("journal", "journal"),
        ("free", "free_pages"),
        ("carv", "carving"),
        ("unalloc", "carving"),
    ):
        if marker in lowered:
            return method
    return "recovered"


def _commands(events: list[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for event in events:
        command = _command_text(event["command"])
        if command and command not in seen:
            seen.append(command)
    return seen


def _command_text(stored: str | None) -> str:
    try:
        value = json.loads(stored or "")
    except json.JSONDecodeError:
        return stored or ""
    if isinstance(value, list):
        return shlex.join(str(v) for v in value)
    return str(value)


def _custody_event(row: dict[str, Any]) -> CustodyEvent:
    return CustodyEvent(
        seq=row["seq"],
        at=row["at"] or "",
        actor=row["actor"] or "",
        action=row["action"] or "",
        command=_command_text(row["command"]),
        hash=row["hash"] or "",
        examiners=_json_list(row.get("examiners")),
        detail=_json_object(row.get("detail")),
    )


def _json_object(value: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(value or "{}")
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _json_list(value: str | None) -> list[str]:
    try:
        loaded = json.loads(value or "[]")
    except json.JSONDecodeError:
        return [value] if value else []
    if isinstance(loaded, str):
        return [loaded]
    return [str(v) for v in loaded] if isinstance(loaded, list) else []


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]

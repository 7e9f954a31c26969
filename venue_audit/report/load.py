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

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from venue_audit.acquire.exports import (
    absolute_path,
    display_path,
    iter_manifest_rows,
    manifest_rows,
)
from venue_audit.acquire.items import open_evidence
from venue_audit.case import Case
from venue_audit.report import i18n
from venue_audit.report.evidence_numbers import EvidenceNumbers
from venue_audit.report.method import (
    command_text,
    json_list,
    json_object,
    latest_detail,
    methodology,
)
from venue_audit.report.model import (
    CaseDetails,
    CustodyEvent,
    EvidenceItem,
    FindingSection,
    LogEvent,
    PersonRow,
    ReportData,
    SkippedItem,
    StoreRow,
    Thumbnail,
    Timeline,
    VerificationSection,
)
from venue_audit.report.rules import rule_titles, severity_rank
from venue_audit.report.verification import section_from_json
from venue_audit.scan.counts import count_faces
from venue_audit.summary import build_summary as canonical_summary
from venue_audit.summary import latest_verdict

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
        purpose=case.info.purpose,
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
                latest_detail(events, "identify").get("band"),
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
        methodology=methodology(case, meta, events),
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
                locator=r["locator"] or "",
                reason=r["reason"] or "",
                stage=r["stage"] or "",
                code=r.get("code") or "",
                params=json_object(r.get("params")),
            )
            for r in db.query("select * from skipped order by id")
        ],
        consent_problems=_consent_problems(policy),
        consent_check=_consent_check(events),
        verification=verification,
    )


# -- pieces -------------------------------------------------------------------------------------


def _consent_check(events: list[dict[str, Any]]) -> str:
    """Whether the assess stage ran, and whether it had a consent register to check against."""
    if not any(event["action"] == "assess" for event in events):
        return "not_run"
    return "register" if latest_detail(events, "assess").get("consent_log") else "no_register"


def _consent_problems(policy: dict[str, Any]) -> list[SkippedItem]:
    """Rows of the consent register that could not be read or linked, as the assess stage
    recorded them (coded when it recorded codes; else its sentences)."""
    coded = policy.get("consent_problem_codes")
    if isinstance(coded, list):
        return [
            SkippedItem(
                locator=str(p.get("locator", "")),
                reason=str(p.get("message", "")),
                stage="assess",
                code=str(p.get("code") or ""),
                params=p.get("params") if isinstance(p.get("params"), dict) else {},
            )
            for p in coded
            if isinstance(p, dict)
        ]
    return [
        SkippedItem(locator=locator, reason=message, stage="assess")
        for locator, _, message in (
            str(p).partition(": ") for p in policy.get("consent_problems", []) or []
        )
    ]


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
    """Every manifest row as an item, with the report-time check of its bytes.

    Rows are read one at a time (a 305,114-file case's rows are ~0.5 GB as a list); only
    each row's container and recorded SHA-256 are kept, for the members of archives, which
    come after their container in the manifest's path order.
    """
    verified: dict[int, str | None] = dict(given)
    recorded: dict[int, tuple[int | None, str | None]] = {}  # id -> (parent id, sha256)
    items = []
    for row in iter_manifest_rows(case):
        recorded[row["id"]] = (row["parent_id"], row["sha256"])
        if rehash and row["id"] not in verified:
            if row["parent_id"] is None:
                if row["entry"] == "file":
                    verified[row["id"]] = _sha256_of(Path(absolute_path(row)))
            else:
                top = row["id"]
                while (parent := recorded[top][0]) is not None and parent in recorded:
                    top = parent
                if top != row["id"] and top in verified:
                    verified[row["id"]] = (
                        row["sha256"] if verified[top] == recorded[top][1] else None
                    )
        items.append(_evidence_item(row, display_path(row), verified.get(row["id"])))
    return items


def _evidence_item(row: dict[str, Any], path: str, verified: str | None = None) -> EvidenceItem:
    return EvidenceItem(
        path=path,
        type=row["type"] or row["entry"] or "",
        size=row["size"] or 0,
        mtime=row["mtime"] or "",
        md5=row["md5"] or "",
        sha256=row["sha256"] or "",
        sm3=row["sm3"] or "",
        acquired_at=row["acquired_at"] or "",
        verified_sha256=verified,
    )


def _after_evidence(verdict: dict[str, Any]) -> list[EvidenceItem]:
    """The after-state sources verify-deletion acquired, hashed like the rest of the evidence."""
    after = Path(str(verdict.get("after_case", "")))
    if not (after / "case.db").is_file():
        return []
    after_case = Case(after)
    try:
        label = i18n.text("after_state", "zh")
        items = [
            _evidence_item(row, f"[{label}] {display_path(row)}")
            for row in manifest_rows(after_case)
        ]
        for item in items:
            item.after_state = True
        return items
    finally:
        after_case.db.close()


def _sha256_of(path: Path) -> str | None:
    """The file's SHA-256 now, read-only; None when it can no longer be read."""
    digest = hashlib.sha256()
    try:
        with open_evidence(path) as handle:
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
            profile=str(store.get("system") or store.get("profile", "")),  # gear and version
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
        details = [json_object(r["detail"]) for r in rows]
        citations: list[str] = []
        for row in rows:
            for cite in json_list(row["citations"]):
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
    numbers = EvidenceNumbers(db)
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
                    evidence_no=numbers.of(artifact["evidence_id"], artifact["locator"] or ""),
                )
            )
    return thumbs


def _locator_tail(locator: str) -> str:
    """The part of a locator that tells two items of one evidence file apart: the row or member."""
    match = re.search(r"(rowid \d+|!/.*$)", locator)
    if match:
        return match.group(1).removeprefix("!/")
    return Path(locator).name


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
    columns = db["artifacts"].columns_dict  # a case scanned by an older version lacks some
    optional = "".join(
        f", a.{name}" if name in columns else f", null as {name}"
        for name in ("camera", "captured_at_offset")
    )
    for row in db.query(
        "select f.person_id, a.id, a.record_key, a.deleted, a.person_key, a.person_key_kind,"
        f" a.captured_at, a.captured_at_source, s.locator as store{optional} from faces f"
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
            person["times"].append(
                (
                    row["captured_at"],
                    row["captured_at_source"] or "",
                    row["deleted"],
                    row["captured_at_offset"] or "",
                )
            )
    rows = []
    for r in db.query("select * from persons order by id"):
        person = seen[r["id"]]
        live_times = [t for t in person["times"] if not t[2]] or person["times"]
        ordered = sorted(live_times, key=lambda t: _instant(t[0]))
        first = ordered[0] if ordered else (r["first_seen"] or "", "", 0, "")
        last = ordered[-1] if ordered else (r["last_seen"] or "", "", 0, "")
        consent = r.get("consent_status") or ("" if r["only_deleted"] else "no_consent")
        rows.append(
            PersonRow(
                id=r["id"],
                records=len(person["live"]) if person["live"] or person["deleted"] else (
                    r["n_records"] if r["n_records"] is not None else (r["n_faces"] or 0)
                ),
                deleted_records=len(person["deleted"]),
                first_seen=in_zone(first[0], tz),
                last_seen=in_zone(last[0], tz),
                first_seen_source=first[1],
                last_seen_source=last[1],
                first_seen_offset=first[3],
                last_seen_offset=last[3],
                status="only_deleted" if r["only_deleted"] else consent,
                consent_status=consent,
                consent_rows=json_list(r.get("consent_rows")),
                consent_reason=str(r.get("consent_reason") or ""),
                consent_notes=[
                    n for n in _json_value(r.get("consent_notes"), []) if isinstance(n, dict)
                ],
                space=r["space"] or "",
                keys=list(person["keys"]),
                stores=list(person["stores"]),
                cameras=list(person["cameras"]),
            )
        )
    return rows


def _json_value(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except (TypeError, json.JSONDecodeError):
        return default


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return datetime.max
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def in_zone(value: str, tz: str) -> str:
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
        grouped: dict[tuple[str, str, str], LogEvent] = {}
        links = _event_links(db)
        for row in db.query("select * from timeline_events"):
            day = _local_day(row.get("at"), zone)
            if day:
                kind = event_kind(str(row.get("action") or row.get("kind") or ""))
                remote = str(row.get("remote") or row.get("remote_host") or "")
                event = grouped.setdefault(
                    (day, kind, remote), LogEvent(day, kind, 0, remote)
                )
                stated = int(row.get("count") or 0)
                event.count += stated or 1
                event.lines += 1
                if stated:
                    event.files = (event.files or 0) + stated
                if row.get("id") in links:
                    if links[row["id"]]:
                        event.linked += 1
                    else:
                        event.unlinked += 1
        events = [grouped[key] for key in sorted(grouped)]
    return Timeline(captures_per_day=dict(sorted(per_day.items())), log_events=events)


def _event_links(db: Any) -> dict[int, bool]:
    """Device events with picture URLs: whether one of their pictures is a capture record."""
    if not _has_table(db, "event_links"):
        return {}
    return {
        row["event_id"]: bool(row["linked"])
        for row in db.query(
            "select event_id, max(status = 'linked') as linked from event_links group by event_id"
        )
    }


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


def _custody_event(row: dict[str, Any]) -> CustodyEvent:
    return CustodyEvent(
        seq=row["seq"],
        at=row["at"] or "",
        actor=row["actor"] or "",
        action=row["action"] or "",
        command=command_text(row["command"]),
        hash=row["hash"] or "",
        examiners=json_list(row.get("examiners")),
        detail=json_object(row.get("detail")),
    )


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]

"""The case as a forensic timeline: every dated thing it knows, one event each, in time order.

Events come from the case database only (never from evidence):

- each capture record (人次) with its capture time, and where that time came from;
- each pack / upload / delete line found in the venue's logs;
- each consent signed or withdrawn in the consent register;
- each step of the examination itself (the custody log), marked as such.

A time without a zone is read in the case's zone. Records without a capture time cannot be
placed and are counted in :attr:`Timeline.undated`, not guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from venue_audit.case import Case


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime  # aware
    timestamp_desc: str  # what the time means: "Capture Time", "Upload Time" ...
    source: str  # short source, as plaso's: FACE, LOG, CONSENT, EXAM
    sourcetype: str
    short: str
    message: str
    filename: str  # where the event was read: a record locator or a log line
    data_type: str  # e.g. venue_audit:face:capture
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Timeline:
    events: list[TimelineEvent]
    zone: tzinfo
    zone_name: str
    undated: int = 0  # capture records with no capture time


def _aware(value: str | None, zone: tzinfo) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def case_timeline(case: Case) -> Timeline:
    zone = ZoneInfo(case.info.tz)
    events: list[TimelineEvent] = []
    undated = 0
    for event in _captures(case, zone):
        if event is None:
            undated += 1
        else:
            events.append(event)
    events += _log_events(case, zone)
    events += _consents(case, zone)
    events += _examination(case, zone)
    events.sort(key=lambda e: (e.at.astimezone(UTC), e.source, e.filename))
    return Timeline(events, zone, case.info.tz, undated)


def _captures(case: Case, zone: tzinfo) -> Iterator[TimelineEvent | None]:
    records: dict[str, list[dict]] = defaultdict(list)
    for row in case.db.query(
        "select a.id, a.record_key, a.kind, a.deleted, a.captured_at, a.captured_at_source,"
        " a.camera, s.locator as store,"
        " (select group_concat(distinct f.person_id) from faces f where f.artifact_id = a.id)"
        " as persons"
        " from artifacts a join stores s on s.id = a.store_id order by a.id"
    ):
        records[row["record_key"] or f"artifact {row['id']}"].append(row)
    statuses = dict(case.db.execute("select id, consent_status from persons").fetchall())
    for key, artifacts in records.items():
        dated = [a for a in artifacts if _aware(a["captured_at"], zone)]
        if not dated:
            yield None
            continue
        first = dated[0]
        persons = sorted(
            {p for a in artifacts if a["persons"] for p in str(a["persons"]).split(",")}, key=int
        )
        deleted = any(a["deleted"] for a in artifacts)
        kinds = sorted({a["kind"] for a in artifacts})
        camera = next((a["camera"] for a in artifacts if a["camera"]), "")
        status = ", ".join(sorted({str(statuses.get(int(p)) or "") for p in persons} - {""}))
        what = "deleted face capture (recoverable)" if deleted else "face capture"
        yield TimelineEvent(
            at=_aware(first["captured_at"], zone),  # type: ignore[arg-type]
            timestamp_desc="Capture Time",
            source="FACE",
            sourcetype="Face capture record",
            short=f"{what}{f' camera {camera}' if camera else ''}",
            message=(
                f"{what}: {key} ({' + '.join(kinds)}) in store {first['store']}"
                + (f"; person {', '.join(persons)}" if persons else "")
                + (f"; consent status {status}" if status else "")
            ),
            filename=key,
            data_type="venue_audit:face:capture",
            extra={
                "store": first["store"],
                "kinds": " + ".join(kinds),
                "deleted": "yes" if deleted else "no",
                "time_source": first["captured_at_source"] or "",
                "persons": " ".join(persons),
                "consent_status": status,
                "camera": camera or "",
            },
        )


def _log_events(case: Case, zone: tzinfo) -> Iterator[TimelineEvent]:
    for row in case.db.query("select * from timeline_events order by id"):
        at = _aware(row["at"], zone)
        if at is None:
            continue
        action = str(row["action"] or "event")
        count = f" {row['count']} files" if row["count"] else ""
        remote = f" to {row['remote']}" if row["remote"] else ""
        yield TimelineEvent(
            at=at,
            timestamp_desc=f"{action.capitalize()} Time",
            source="LOG",
            sourcetype="Venue log",
            short=f"{action}{count}{remote}",
            message=str(row["text"] or f"{action}{count}{remote}"),
            filename=str(row["locator"] or ""),
            data_type=f"venue_audit:log:{action}",
            extra={
                "action": action,
                "count": str(row["count"] or ""),
                "remote": str(row["remote"] or ""),
                "camera": str(row["camera"] or ""),
            },
        )


def _consents(case: Case, zone: tzinfo) -> Iterator[TimelineEvent]:
    for row in case.db.query("select * from consents order by id"):
        for column, desc, verb in (
            ("signed_at", "Consent Signed Time", "signed"),
            ("withdrawn_at", "Consent Withdrawn Time", "withdrawn"),
        ):
            at = _aware(row[column], zone)
            if at is None:
                continue
            subject = f"{row['key_kind']} {row['subject_key']}"
            yield TimelineEvent(
                at=at,
                timestamp_desc=desc,
                source="CONSENT",
                sourcetype="Consent register",
                short=f"consent {verb}: {subject}",
                message=f"consent {verb} by {subject} for {row['purpose'] or 'unstated purpose'}",
                filename=str(row["source_row"] or row["source"] or ""),
                data_type=f"venue_audit:consent:{verb}",
                extra={
                    "purpose": str(row["purpose"] or ""),
                    "subject_key_kind": str(row["key_kind"] or ""),
                },
            )


def _examination(case: Case, zone: tzinfo) -> Iterator[TimelineEvent]:
    for row in case.db.query(
        "select seq, at, actor, action, detail, hash from custody order by seq"
    ):
        at = _aware(row["at"], zone)
        if at is None:
            continue
        try:
            detail = json.loads(row["detail"] or "{}")
        except json.JSONDecodeError:
            detail = {}
        summary = ", ".join(
            f"{k}={v}" for k, v in sorted(detail.items()) if isinstance(v, str | int | float | bool)
        )
        yield TimelineEvent(
            at=at,
            timestamp_desc="Examination Time",
            source="EXAM",
            sourcetype="venue-audit custody log",
            short=f"examination: {row['action']}",
            message=f"custody event {row['seq']}: {row['action']} by {row['actor']}"
            + (f" ({summary})" if summary else ""),
            filename=f"case.db custody seq {row['seq']}",
            data_type=f"venue_audit:custody:{row['action']}",
            extra={"custody_hash": str(row["hash"] or ""), "actor": str(row["actor"] or "")},
        )

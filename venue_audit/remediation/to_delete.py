"""The to-delete list (待删除清单): every stored face record a business must delete, and why.

A record goes on the list when at least one of these holds at the as-of date:

- ``no_consent``: a person in it has no valid consent (or could not be identified, so no
  consent can be shown for them);
- ``withdrawn``: a person in it withdrew consent and the data is still held;
- ``expired``: it was captured longer ago than the policy's retention period (judged per
  record, so a consented person's recent captures stay off the list);
- ``offsite``: it sits in a store outside the venue (a cloud export, another host): the copy
  is the transfer, and consent to a visit registration is no consent to sending faces away.

Records of consented persons that are none of these are never listed. Each item carries its
exact place (:class:`~venue_audit.remediation.locations.Location`), its state (``live``, or
``recoverable`` for rows rebuilt from free pages, WAL and journals), the action that removes
it, and its legal basis from the verified rule table — the citations the case's own findings
applied, plus the deletion duty of PIPL Art. 47. Database rows are grouped per table into
DELETE statements by primary key (:mod:`venue_audit.remediation.statements`).

The list is stored in the case (table ``to_delete``) with a digest logged in custody, so the
deletion check after the business acts (``verify-deletion``) compares against exactly the list
that was handed over.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from venue_audit.acquire.exports import display_path, manifest_rows
from venue_audit.case import Case
from venue_audit.consent.timestamps import zone
from venue_audit.findings import load_citations
from venue_audit.offsite import offsite_stores
from venue_audit.remediation.keys import read_table_keys
from venue_audit.remediation.locations import Location, is_recovered, parse_record_key
from venue_audit.remediation.statements import TableDeletion
from venue_audit.scan.pipeline import evidence_item

REASONS = ("no_consent", "withdrawn", "expired", "offsite")
# the rule of the rule table each reason rests on (its citations are the legal basis)
REASON_RULES = {
    "no_consent": "no-consent",
    "withdrawn": "withdrawn-retained",
    "expired": "retained-past-period",
    "offsite": "offsite-transfer",
}
STATUS_REASONS = {"no_consent": "no_consent", "withdrawn_retained": "withdrawn"}
DELETION_DUTY = "PIPL Art. 47"  # the processor's duty to delete on its own initiative

# what removes an item: a DELETE by primary key, deleting a file, removing an archive member
# (rebuild or delete the archive, and the copy it was taken from), making an earlier deletion
# final (VACUUM), or deleting the record in the system or export it came from
ACTIONS = ("delete_row", "delete_file", "delete_member", "finalise", "delete_record")
LIVE, RECOVERABLE = "live", "recoverable"
TABLE_NAME = "to_delete"
META_KEY = "to_delete"


@dataclass
class ToDeleteItem:
    number: int
    record_key: str
    store: str
    store_kind: str
    profile: str
    location: Location
    state: str
    action: str
    reasons: list[str]
    persons: list[int]
    person_keys: list[str]
    captured_at: str | None
    kinds: list[str]
    sha256: list[str]
    artifact_ids: list[int]
    basis: list[str] = field(default_factory=list)
    later_guidance: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["location"] = self.location.as_dict()
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ToDeleteItem:
        place = dict(values["location"])
        place["key_values"] = [
            bytes.fromhex(v["hex"]) if isinstance(v, dict) and "hex" in v else v
            for v in place.get("key_values", [])
        ]
        return cls(**{**values, "location": Location(**place)})


@dataclass
class ToDeleteList:
    as_of: str | None
    retention_days: int | None
    items: list[ToDeleteItem]
    deletions: list[TableDeletion]
    remotes: list[str] = field(default_factory=list)  # where upload logs say copies were sent
    # reason -> the citations it rests on (in force at the as-of date), as items carry them
    basis_by_reason: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """SHA-256 of the items as stored: what custody records and the deletion check uses."""
        text = json.dumps([i.as_dict() for i in self.items], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def by_reason(self) -> dict[str, int]:
        counts = dict.fromkeys(REASONS, 0)
        for item in self.items:
            for reason in item.reasons:
                counts[reason] += 1
        return counts

    def by_action(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for item in self.items:
            counts[item.action] += 1
        return {k: v for k, v in counts.items() if v}


def build_to_delete(case: Case) -> ToDeleteList:
    """The to-delete list of an assessed case, from case.db and the evidence (read-only)."""
    policy = read_meta(case, "policy") or {}
    as_of_text = policy.get("as_of") or case.info.as_of or None
    as_of = date.fromisoformat(as_of_text) if as_of_text else None
    retention = policy.get("retention_days")
    tz = zone(case.info.tz)
    status_of = {
        row["id"]: row["consent_status"] or "no_consent"
        for row in case.db.query("select id, consent_status from persons")
    }
    persons_of: dict[int, set[int]] = defaultdict(set)
    for row in case.db.query("select artifact_id, person_id from faces"):
        if row["person_id"] is not None:
            persons_of[row["artifact_id"]].add(row["person_id"])
    stores = {row["id"]: row for row in case.db.query("select * from stores")}
    offsite_names = {found.store for found in offsite_stores(case)}
    offsite_ids = {sid for sid, row in stores.items() if row["locator"] in offsite_names}
    evidence = {row["id"]: row for row in manifest_rows(case)}
    records: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for artifact in case.db.query("select * from artifacts order by id"):
        records[(artifact["store_id"], artifact["record_key"])].append(artifact)
    basis = _basis(case, as_of)
    items: list[ToDeleteItem] = []
    for (store_id, record_key), artifacts in records.items():
        store = stores[store_id]
        persons = sorted({p for a in artifacts for p in persons_of[a["id"]]})
        reasons = _reasons(
            artifacts, [status_of.get(p, "no_consent") for p in persons],
            store_id in offsite_ids, as_of, retention, tz,
        )
        if not reasons:
            continue
        top = _top_level(evidence, artifacts[0]["evidence_id"])
        location = parse_record_key(
            record_key, store["locator"] or "", display_path(top) if top else ""
        )
        recovered = is_recovered(location) or (
            all(a["deleted"] for a in artifacts) and not location.soft_deleted
        )
        codes = sorted({c for r in reasons for c in basis[r][0]}, key=_citation_order)
        later = sorted({c for r in reasons for c in basis[r][1]} - set(codes))
        items.append(
            ToDeleteItem(
                number=0,
                record_key=record_key,
                store=store["locator"] or "",
                store_kind=store["kind"] or "",
                profile=store["profile"] or "generic",
                location=location,
                state=RECOVERABLE if recovered else LIVE,
                action=_action(location, store["kind"], recovered, top),
                reasons=reasons,
                persons=persons,
                person_keys=sorted({a["person_key"] for a in artifacts if a["person_key"]}),
                captured_at=min((a["captured_at"] for a in artifacts if a["captured_at"]), default=None),
                kinds=[a["kind"] for a in artifacts],
                sha256=[a["sha256"] for a in artifacts],
                artifact_ids=[a["id"] for a in artifacts],
                basis=codes,
                later_guidance=later,
            )
        )
    items.sort(key=lambda i: (i.state != LIVE, i.location.file, i.location.member,
                              i.location.table, i.location.rowid or 0, i.record_key))
    for number, item in enumerate(items, 1):
        item.number = number
    result = ToDeleteList(
        as_of_text, retention, items, [], remotes=_remotes(case),
        basis_by_reason={
            r: sorted(codes, key=_citation_order) for r, (codes, _) in basis.items()
        },
    )
    _key_rows(result, evidence, stores)
    return result


def _reasons(
    artifacts: list[dict[str, Any]],
    statuses: list[str],
    offsite: bool,
    as_of: date | None,
    retention: int | None,
    tz: Any,
) -> list[str]:
    reasons = {STATUS_REASONS[s] for s in statuses if s in STATUS_REASONS}
    if not statuses:
        reasons.add("no_consent")  # nobody identified: no consent can be shown for this face
    if not reasons and as_of is not None and retention is not None:
        taken = [_day(a["captured_at"], tz) for a in artifacts if a["captured_at"]]
        if any(day is not None and (as_of - day).days > retention for day in taken):
            reasons.add("expired")
    if offsite:
        reasons.add("offsite")
    return [r for r in REASONS if r in reasons]


def _day(stamp: str, tz: Any) -> date | None:
    """The capture day in the case's zone, counted the way consent status counts it."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (moment.astimezone(tz) if moment.tzinfo else moment).date()


def _action(location: Location, kind: str | None, recovered: bool, top: dict | None) -> str:
    if recovered:
        return "finalise"
    if location.member:
        return "delete_member"
    if location.table:
        nested = top is None or top["parent_id"] is not None
        return "delete_row" if kind == "sqlite" and not nested else "delete_record"
    return "delete_file"


def _top_level(evidence: dict[int, dict[str, Any]], evidence_id: int | None) -> dict | None:
    row = evidence.get(evidence_id) if evidence_id is not None else None
    while row is not None and row["parent_id"] is not None and row["parent_id"] in evidence:
        row = evidence[row["parent_id"]]
    return row


def _key_rows(
    result: ToDeleteList, evidence: dict[int, dict[str, Any]], stores: dict[int, dict[str, Any]]
) -> None:
    """Read each table's primary key from the evidence and group rows into TableDeletions."""
    tables: dict[tuple[str, str], list[ToDeleteItem]] = defaultdict(list)
    for item in result.items:
        if item.action == "delete_row":
            tables[(item.location.file, item.location.table)].append(item)
    by_file = {display_path(row): row for row in evidence.values() if row["parent_id"] is None}
    for (file, table), items in sorted(tables.items()):
        row = by_file.get(file)
        if row is None:
            result.problems.append(f"{file}: the database is no longer in the case's evidence list")
            continue
        key = read_table_keys(
            evidence_item(row),
            table,
            [i.location.rowid for i in items if i.location.rowid is not None],
            [i.location.row_number for i in items if i.location.row_number is not None],
        )
        result.problems += key.problems
        if key.note:
            result.notes.append(f"{file}: {key.note}")
        keyed = []
        for item in items:
            values = key.values.get(
                item.location.rowid if item.location.rowid is not None else item.location.row_number
            )
            if values is None or not key.columns:
                item.action = "delete_record"
                continue
            item.location.key_columns = list(key.columns)
            item.location.key_values = list(values)
            if key.server:  # a running database: the row is addressed on the server
                item.location.system = f"{key.server} {key.target}"
                item.location.system_id = item.location.key_text
            elif item.profile != "generic":
                item.location.system = item.profile
                item.location.system_id = item.location.key_text
            keyed.append(item)
        if keyed:
            result.deletions.append(
                TableDeletion(
                    database=key.server or file,
                    table=key.target,
                    key_columns=tuple(key.columns),
                    keys=tuple(tuple(i.location.key_values) for i in keyed),
                    dialect=key.dialect,
                    items=tuple(i.number for i in keyed),
                )
            )


def _basis(case: Case, as_of: date | None) -> dict[str, tuple[set[str], set[str]]]:
    """Reason -> (citations in force for it, later guidance), from the case's own findings.

    A finding's citations were already judged against the dates of the conduct when the
    case was assessed; a reason with no finding in this case (an expired record of a person
    who is otherwise consented) takes its rule's citations in force at the as-of date.
    """
    from venue_audit.findings import load_rules

    citations = load_citations()
    rules = {rule.id: rule for rule in load_rules()}
    stored = {}
    for row in case.db.query("select rule, citations, detail from findings"):
        detail = json.loads(row["detail"] or "{}")
        stored[row["rule"]] = (
            set(json.loads(row["citations"] or "[]")), set(detail.get("later_guidance", []))
        )
    duty = citations.get(DELETION_DUTY)
    duty_applies = duty is not None and (as_of is None or duty.in_force <= as_of)
    basis: dict[str, tuple[set[str], set[str]]] = {}
    for reason, rule_id in REASON_RULES.items():
        if rule_id in stored:
            codes, later = stored[rule_id]
        elif rule_id in rules:
            codes = {c.code for c in rules[rule_id].citations if c.in_force_for(as_of)}
            later = {c.code for c in rules[rule_id].citations} - codes
        else:
            codes, later = set(), set()
        basis[reason] = ((codes | {DELETION_DUTY}) if duty_applies else codes, later)
    return basis


def _citation_order(code: str) -> tuple[int, str]:
    order = ("PIPL", "Civil Code", "SPC JI", "CSL", "Measures", "GB/T")
    return next((n for n, prefix in enumerate(order) if code.startswith(prefix)), 99), code


def _remotes(case: Case) -> list[str]:
    return sorted(
        {
            row["remote"]
            for row in case.db.query(
                "select distinct remote from timeline_events where remote is not null "
                "and remote != '' and action in ('upload', 'transfer')"
            )
        }
    )


def read_meta(case: Case, key: str) -> Any:
    """A JSON value of the case's ``case_meta`` table, or None."""
    row = next(iter(case.db.query("select value from case_meta where key = ?", [key])), None)
    return json.loads(row["value"]) if row else None


def save_to_delete(case: Case, result: ToDeleteList, command: list[str] | None = None) -> str:
    """Store the list in the case (replacing an earlier one) and log its digest in custody."""
    digest = result.digest
    with case.db.conn:
        case.db.execute(f"drop table if exists {TABLE_NAME}")
        case.db[TABLE_NAME].create(
            {"number": int, "record_key": str, "store": str, "state": str, "action": str,
             "reasons": str, "item": str},
            pk="number",
        )
        case.db[TABLE_NAME].insert_all(
            {
                "number": item.number,
                "record_key": item.record_key,
                "store": item.store,
                "state": item.state,
                "action": item.action,
                "reasons": ",".join(item.reasons),
                "item": json.dumps(item.as_dict(), ensure_ascii=False, sort_keys=True),
            }
            for item in result.items
        )
        case.db["case_meta"].upsert(
            {
                "key": META_KEY,
                "value": json.dumps(
                    {
                        "as_of": result.as_of,
                        "retention_days": result.retention_days,
                        "items": len(result.items),
                        "sha256": digest,
                        "deletions": [
                            {**asdict(d), "keys": [list(map(_plain, k)) for k in d.keys]}
                            for d in result.deletions
                        ],
                        "remotes": result.remotes,
                        "basis_by_reason": result.basis_by_reason,
                        "problems": result.problems,
                        "notes": result.notes,
                    },
                    ensure_ascii=False,
                ),
            },
            pk="key",
        )
    case.log(
        "to-delete",
        {"items": len(result.items), "sha256": digest, "by_reason": result.by_reason(),
         "by_action": result.by_action(), "as_of": result.as_of},
        command,
    )
    return digest


def _plain(value: Any) -> Any:
    return {"hex": value.hex()} if isinstance(value, bytes) else value


def load_to_delete(case: Case) -> ToDeleteList | None:
    """The list stored in the case, or None when none was made."""
    meta = read_meta(case, META_KEY)
    if meta is None or not case.db[TABLE_NAME].exists():
        return None
    items = [
        ToDeleteItem.from_dict(json.loads(row["item"]))
        for row in case.db.query(f"select item from {TABLE_NAME} order by number")
    ]
    deletions = [
        TableDeletion(
            database=d["database"], table=d["table"], key_columns=tuple(d["key_columns"]),
            keys=tuple(
                tuple(bytes.fromhex(v["hex"]) if isinstance(v, dict) else v for v in k)
                for k in d["keys"]
            ),
            dialect=d["dialect"], items=tuple(d["items"]),
        )
        for d in meta.get("deletions", [])
    ]
    return ToDeleteList(
        meta.get("as_of"), meta.get("retention_days"), items, deletions,
        remotes=meta.get("remotes", []), problems=meta.get("problems", []),
        basis_by_reason=meta.get("basis_by_reason", {}),
        notes=meta.get("notes", []),
    )


def make_to_delete(case: Case, command: list[str] | None = None) -> ToDeleteList:
    """Build the list of an assessed case and store it (what ``to-delete`` and self-audit run)."""
    result = build_to_delete(case)
    save_to_delete(case, result, command)
    return result


__all__ = [
    "ACTIONS",
    "REASONS",
    "ToDeleteItem",
    "ToDeleteList",
    "build_to_delete",
    "load_to_delete",
    "make_to_delete",
    "save_to_delete",
]

"""After the business deleted: is each item of its to-delete list really gone?

``verify-deletion`` acquires and scans the after-state (deleted-data recovery included) into a
workspace of its own; this module looks for every item of the case's stored to-delete list
there and gives each one state:

- ``still_present``: the record is still live where the list put it (same file, member, table
  and row): the deletion did not happen;
- ``still_recoverable``: gone from its place, but its content is still found — in free pages,
  freeblocks, a WAL or journal (a plain DELETE without VACUUM), or as a live copy somewhere
  else (a backup, a cloud export): the deletion is not final;
- ``deleted``: found nowhere in an after-state that covers its place;
- ``not_checked``: no after source covers its place (the cloud export was not re-exported, say),
  so nothing can be said — never reported as deleted.

Content is matched the way the rest of verify-deletion matches it (exact SHA-256, perceptual
hash), and by face only at a same-capture distance: another, lawful capture of the same
person is a different record, not this one surviving.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from venue_audit.acquire.live.acquisition import snapshot_label
from venue_audit.case import Case
from venue_audit.remediation.locations import ARCHIVE_MARK, parse_record_key
from venue_audit.remediation.to_delete import REASONS, ToDeleteItem, ToDeleteList
from venue_audit.verify.matching import AfterIndex, Match
from venue_audit.verify.replicas import replica_name

DELETED, STILL_PRESENT, STILL_RECOVERABLE, NOT_CHECKED = (
    "deleted", "still_present", "still_recoverable", "not_checked",
)
ITEM_STATES = (DELETED, STILL_PRESENT, STILL_RECOVERABLE, NOT_CHECKED)
# the same capture re-encoded or its template recomputed: far under any two captures' distance
SAME_CAPTURE_DISTANCE = 0.1
_COLUMN = re.compile(r", column [^,]*$")


@dataclass
class ItemCheck:
    number: int
    state: str
    found: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "state": self.state, "found": self.found}


@dataclass
class FollowUp:
    """The list checked against one after-state: per item, and the before/after summary."""

    list_sha256: str
    after_case: str
    checks: list[ItemCheck]
    before: dict[str, dict[str, int]]  # reason -> {"live": n, "recoverable": n}
    before_totals: dict[str, int]  # {"live": n, "recoverable": n}, each item once
    after: dict[str, dict[str, int]]  # reason -> {state: n}
    totals: dict[str, int]

    @property
    def done(self) -> bool:
        """Every item deleted: nothing left live, nothing recoverable, nothing unchecked."""
        return all(check.state == DELETED for check in self.checks)

    def state_of(self, number: int) -> str:
        return next(c.state for c in self.checks if c.number == number)

    def as_dict(self) -> dict[str, Any]:
        return {
            "list_sha256": self.list_sha256,
            "after_case": self.after_case,
            "done": self.done,
            "totals": self.totals,
            "before": self.before,
            "before_totals": self.before_totals,
            "after": self.after,
            "items": [c.as_dict() for c in self.checks],
        }


def check_list(
    case: Case,
    listed: ToDeleteList,
    after: Case,
    index: AfterIndex,
    replicas: dict[str, Path | None],
) -> FollowUp:
    """Each item of ``listed`` looked for in the after-state ``after`` (indexed as ``index``).

    ``replicas`` maps each baseline source root to the after source standing for it (or None:
    not re-examined), as verify-deletion paired them; an item whose source has no replica and
    whose content is found nowhere is ``not_checked``.
    """
    faces = _baseline_faces(case, [a for item in listed.items for a in item.artifact_ids])
    artifacts = {
        row["id"]: row
        for row in case.db.query(
            "select a.id, a.sha256, a.pdq, a.phash, src.root from artifacts a"
            " left join evidence e on e.id = a.evidence_id"
            " left join sources src on src.id = e.source_id"
        )
    }
    places = _after_places(after)
    checks = []
    for item in listed.items:
        matches: list[Match] = []
        for artifact_id in item.artifact_ids:
            row = artifacts.get(artifact_id)
            if row is None:
                continue
            matches += index.match(
                row["sha256"], row["pdq"], row["phash"], faces.get(artifact_id, []),
                face_limit=SAME_CAPTURE_DISTANCE,
            )
        first = artifacts.get(item.artifact_ids[0]) if item.artifact_ids else None
        replica = replicas.get(first["root"]) if first is not None else None
        checks.append(_judge(item, matches, places, _covers(replica, item.location.file)))
    return _follow_up(listed, checks, after.directory.name)


def _judge(
    item: ToDeleteItem,
    matches: list[Match],
    places: dict[int, tuple[str, str]],
    covered: bool,
) -> ItemCheck:
    own = _place(item.record_key, item.store, item.location.file)
    found, state = [], None
    seen: set[str] = set()
    for match in _unique(matches):
        at_own_place = not match.after.deleted and _same_place(own, places.get(match.after.id))
        if at_own_place:
            state = STILL_PRESENT
        record = _COLUMN.sub("", match.after.locator)  # a row's crop and template: one place
        if record in seen:
            continue
        seen.add(record)
        found.append(
            {
                "at": record,
                "store": match.after.store,
                "how": match.how,
                "live": not match.after.deleted,
                "own_place": at_own_place,
            }
        )
    if state is None and found:
        state = STILL_RECOVERABLE
    if state is None:
        state = DELETED if covered else NOT_CHECKED
    return ItemCheck(item.number, state, found)


def _unique(matches: list[Match]) -> list[Match]:
    seen: dict[int, Match] = {}
    for match in matches:
        seen.setdefault(match.after.id, match)
    return list(seen.values())


def _place(record_key: str, store: str, file: str) -> tuple[str, str]:
    """(file path, place inside it): the member, or the table and row, without the column."""
    location = parse_record_key(record_key, store, file)
    path = record_key.split(", table ", 1)[0].split(ARCHIVE_MARK, 1)[0]
    inside = location.member
    folder, _, name = path.rpartition("/")
    snapshot = snapshot_label(name)
    if snapshot is not None:
        # a live database's snapshot: the place is the server table (rowids number each copy)
        return f"{folder}/{snapshot}" if folder else snapshot, f"{inside}|{location.table}"
    if location.table:
        row = f"rowid {location.rowid}" if location.rowid is not None else (
            f"row {location.row_number}" if location.row_number is not None else location.detail
        )
        inside = f"{inside}|{location.table}|{row}"
    return path, inside


def _after_places(after: Case) -> dict[int, tuple[str, str]]:
    places = {}
    for row in after.db.query(
        "select a.id, a.record_key, s.locator as store from artifacts a"
        " join stores s on s.id = a.store_id"
    ):
        places[row["id"]] = _place(row["record_key"] or "", row["store"] or "", "")
    return places


def _same_place(own: tuple[str, str], other: tuple[str, str] | None) -> bool:
    """The same place inside the same file, found at the same path under its source.

    Paths start with their source folder's name, which a replica may not share
    (``--replica export=after-export``): below it they must agree. A source that is a single
    file has only its name, which must be the file's name.
    """
    if other is None or own[1] != other[1]:
        return False
    mine, theirs = own[0].split("/"), other[0].split("/")
    if len(mine) > 1 and len(theirs) > 1:
        return mine[1:] == theirs[1:]
    return mine[-1] == theirs[-1]


def _covers(replica: Path | None, file: str) -> bool:
    """Whether the after source standing for an item's source re-examined the item's place:
    a folder stands for everything under the baseline folder, a single file only for itself."""
    if replica is None:
        return False
    own = Path(file.split(ARCHIVE_MARK)[0].split("/")[-1])
    return Path(replica).is_dir() or replica_name(Path(replica)) == replica_name(own)


def _baseline_faces(case: Case, artifact_ids: list[int]) -> dict[int, list[tuple[str, np.ndarray]]]:
    wanted = set(artifact_ids)
    faces: dict[int, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for row in case.db.query("select artifact_id, space, embedding from faces"):
        if row["artifact_id"] in wanted and row["embedding"]:
            faces[row["artifact_id"]].append(
                (row["space"], np.frombuffer(row["embedding"], dtype="<f4"))
            )
    return faces


def _follow_up(listed: ToDeleteList, checks: list[ItemCheck], after_case: str) -> FollowUp:
    before: dict[str, Counter[str]] = {reason: Counter() for reason in REASONS}
    after: dict[str, Counter[str]] = {reason: Counter() for reason in REASONS}
    state_of = {c.number: c.state for c in checks}
    for item in listed.items:
        for reason in item.reasons:
            before[reason][item.state] += 1
            after[reason][state_of[item.number]] += 1
    totals = Counter(c.state for c in checks)
    states = Counter(item.state for item in listed.items)
    return FollowUp(
        list_sha256=listed.digest,
        after_case=after_case,
        checks=checks,
        before={r: {s: before[r].get(s, 0) for s in ("live", "recoverable")} for r in REASONS},
        before_totals={s: states.get(s, 0) for s in ("live", "recoverable")},
        after={r: {s: after[r].get(s, 0) for s in ITEM_STATES} for r in REASONS},
        totals={s: totals.get(s, 0) for s in ITEM_STATES},
    )


__all__ = ["ITEM_STATES", "FollowUp", "ItemCheck", "check_list"]

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

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from venue_audit.case import Case
from venue_audit.remediation.locations import ARCHIVE_MARK, parse_record_key
from venue_audit.remediation.to_delete import REASONS, ToDeleteItem, ToDeleteList
from venue_audit.verify.matching import AfterIndex, Match

DELETED, STILL_PRESENT, STILL_RECOVERABLE, NOT_CHECKED = (
    "deleted", "still_present", "still_recoverable", "not_checked",
)
ITEM_STATES = (DELETED, STILL_PRESENT, STILL_RECOVERABLE, NOT_CHECKED)
# the same capture re-encoded or its template recomputed: far under any two captures' distance
SAME_CAPTURE_DISTANCE = 0.1


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
            "after": self.after,
            "items": [c.as_dict() for c in self.checks],
        }


def check_list(
    case: Case,
    listed: ToDeleteList,
    after: Case,
    index: AfterIndex,
    after_sources: list[Path],
) -> FollowUp:
    """Each item of ``listed`` looked for in the after-state ``after`` (indexed as ``index``)."""
    faces = _baseline_faces(case, [a for item in listed.items for a in item.artifact_ids])
    artifacts = {
        row["id"]: row
        for row in case.db.query("select id, sha256, pdq, phash from artifacts")
    }
    places = _after_places(after)
    roots = [Path(s).name for s in after_sources]
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
        checks.append(_judge(item, matches, places, roots))
    return _follow_up(listed, checks, after.directory.name)


def _judge(
    item: ToDeleteItem,
    matches: list[Match],
    places: dict[int, tuple[str, str]],
    roots: list[str],
) -> ItemCheck:
    own = _place(item.record_key, item.store, item.location.file)
    found, state = [], None
    for match in _unique(matches):
        at_own_place = not match.after.deleted and _same_place(own, places.get(match.after.id))
        found.append(
            {
                "at": match.after.locator,
                "store": match.after.store,
                "how": match.how,
                "live": not match.after.deleted,
                "own_place": at_own_place,
            }
        )
        if at_own_place:
            state = STILL_PRESENT
    if state is None and found:
        state = STILL_RECOVERABLE
    if state is None:
        state = DELETED if _covered(item.location.file, roots) else NOT_CHECKED
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
    """The same place inside the same file, the file named by the same trailing path."""
    if other is None or own[1] != other[1]:
        return False
    mine, theirs = own[0].split("/"), other[0].split("/")
    shorter = min(len(mine), len(theirs))
    return shorter > 0 and mine[-shorter:] == theirs[-shorter:]


def _covered(file: str, roots: list[str]) -> bool:
    """Whether an after source stands for the item's place: a folder or file of the same name."""
    parts = file.split(ARCHIVE_MARK, 1)[0].split("/")
    return any(root in parts for root in roots)


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
    return FollowUp(
        list_sha256=listed.digest,
        after_case=after_case,
        checks=checks,
        before={r: {s: before[r].get(s, 0) for s in ("live", "recoverable")} for r in REASONS},
        after={r: {s: after[r].get(s, 0) for s in ITEM_STATES} for r in REASONS},
        totals={s: totals.get(s, 0) for s in ITEM_STATES},
    )


__all__ = ["ITEM_STATES", "FollowUp", "ItemCheck", "check_list"]

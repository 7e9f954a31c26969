"""The result of a deletion verification, counted in capture records like every other count.

One unit throughout: a *record* is what the scan counts as one capture (a picture file, an
archive member, a database row with its crop and template). Each baseline record ends in
exactly one state:

- ``remaining_live``: its own content (same bytes, same picture, or the same capture's face)
  is in live data of the after-state;
- ``recoverable``: found only in deleted data (free pages, WAL, journals, carved bytes);
- ``gone``: its source was re-examined and nothing of it was found;
- ``not_checked``: its source has no replica among the after sources, so nothing can be said.

The verdict is ``clean`` only when every record is ``gone``; any residue makes it
``residual``; otherwise records not checked make it ``incomplete``. When the case holds a
to-delete list (``venue_audit.remediation``), the list is the order: the verdict follows its
items (all deleted: clean; any still present or recoverable: residual; else incomplete), and
records the list keeps are reported but are no residue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATES = ("remaining_live", "recoverable", "gone", "not_checked")
SCHEMA = "venue-audit.deletion-verification/1"
WORDING = {
    "clean": "no residual face data found",
    "residual": "residual face data found",
    "incomplete": "not verified: some baseline records were not checked",
}


@dataclass(frozen=True)
class Residue:
    """One baseline record found again, and where: its location and how it was recognised."""

    record: str
    store: str
    state: str
    how: str
    found_at: str
    found_in_store: str
    distance: float
    matches: int

    def as_json(self) -> dict[str, Any]:
        return {
            "baseline": self.record,
            "store": self.store,
            "state": self.state,
            "how": self.how,
            "distance": self.distance,
            "found_at": self.found_at,
            "found_in_store": self.found_in_store,
            "matches": self.matches,
        }


@dataclass
class StoreResult:
    """The records of one baseline store, by state, and the after source that replaced it."""

    store: str
    source: str
    replica: str | None
    states: Counter[str] = field(default_factory=Counter)

    @property
    def records(self) -> int:
        return sum(self.states.values())

    def as_json(self) -> dict[str, Any]:
        return {"records": self.records, **{s: self.states.get(s, 0) for s in STATES}}


@dataclass
class DeletionVerdict:
    after_case: Path
    checked: list[str]
    replicas: dict[str, str | None]
    stores: dict[str, StoreResult] = field(default_factory=dict)
    residue: list[Residue] = field(default_factory=list)
    by_person: dict[int, Counter[str]] = field(default_factory=dict)
    # persons with a face of theirs still in the after-state, in another capture
    persons_present: dict[int, list[str]] = field(default_factory=dict)
    # the case's to-delete list checked item by item (remediation.follow_up), when it has one
    to_delete: dict[str, Any] | None = None

    @property
    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for store in self.stores.values():
            total.update(store.states)
        return {"records": sum(total.values()), **{s: total.get(s, 0) for s in STATES}}

    @property
    def status(self) -> str:
        if self.to_delete is not None:  # the order is the list: what it keeps is no residue
            listed = self.to_delete["totals"]
            if self.to_delete["done"]:
                return "clean"
            if listed.get("still_present") or listed.get("still_recoverable"):
                return "residual"
            return "incomplete"
        totals = self.totals
        if totals["remaining_live"] or totals["recoverable"]:
            return "residual"
        return "incomplete" if totals["not_checked"] else "clean"

    @property
    def clean(self) -> bool:
        return self.status == "clean"

    @property
    def by_store(self) -> dict[str, dict[str, int]]:
        return {name: store.as_json() for name, store in sorted(self.stores.items())}

    @property
    def not_checked(self) -> list[StoreResult]:
        return [s for s in self.stores.values() if s.states.get("not_checked")]

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "status": self.status,
            "verdict": WORDING[self.status],
            "clean": self.clean,
            "unit": "records",
            "after_case": str(self.after_case),
            "checked": self.checked,
            "replicas": [
                {"baseline": root, "after": after} for root, after in self.replicas.items()
            ],
            "totals": self.totals,
            "by_store": self.by_store,
            "by_person": {
                str(k): {s: v.get(s, 0) for s in STATES if v.get(s)}
                for k, v in sorted(self.by_person.items())
            },
            "residual": [r.as_json() for r in self.residue],
            "not_checked": [
                {"store": s.store, "source": s.source, "records": s.states["not_checked"]}
                for s in self.not_checked
            ],
            "persons_still_present": [
                {"person": person, "found_at": places}
                for person, places in sorted(self.persons_present.items())
            ],
            **({"to_delete": self.to_delete} if self.to_delete is not None else {}),
        }

"""What recovery hands back: recovered records and the report around them."""

from __future__ import annotations

from dataclasses import dataclass, field

from venue_audit.recovery.carving import CarvedItem

Value = int | float | str | bytes | None


@dataclass
class RecoveredRecord:
    """One deleted (or superseded) row rebuilt from free space, an old page version or a journal.

    ``offset`` is the absolute byte offset in ``file`` of the cell start when known, else of the
    record header. ``complete`` is False when some bytes of the row were lost (overflow page
    reused, chain broken, cell tail overwritten): values are then cut to the surviving prefix,
    except ranges listed in ``lost_bytes``, which are zero-filled where a freelist trunk list
    overwrote the middle of an overflow chain. ``kind`` is "deleted", "superseded" for an
    older version of a row whose rowid is still live with other content, or "unlinked" for a
    live cell on a page that neither a b-tree nor the freelist reaches (``deleted`` False).
    """

    table: str | None
    columns: list[str]
    values: list[Value]
    origin: str  # "freelist", "freeblock", "unallocated", "wal", "journal"
    file: str
    page: int
    offset: int
    confidence: float
    rowid: int | None = None
    complete: bool = True
    method: str = ""
    kind: str = "deleted"
    deleted: bool = True
    blob_kinds: dict[str, str] = field(default_factory=dict)  # column -> jpeg/png/webp/template
    # byte ranges [start, end) inside a value that were lost and are zero-filled in ``values``
    lost_bytes: list[tuple[str, int, int]] = field(default_factory=list)
    also_found_at: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.file}:page {self.page}:offset {self.offset} ({self.origin})"

    def value(self, column: str) -> Value:
        return self.values[self.columns.index(column)]


@dataclass
class RecoveryReport:
    name: str
    records: list[RecoveredRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    live_rows: int = 0
    secure_delete_traces: int = 0  # zeroed free regions seen (evidence of secure_delete=ON)
    # images/templates carved from free overflow chains whose row could not be rebuilt
    carved: list[CarvedItem] = field(default_factory=list)
    # live cells cut off from their b-tree (tampered pointers): an anomaly, never deleted rows
    unlinked: list[RecoveredRecord] = field(default_factory=list)

    def deleted(self, table: str | None = None) -> list[RecoveredRecord]:
        return [
            r for r in self.records
            if r.kind == "deleted" and (table is None or r.table == table)
        ]

    def by_origin(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.records:
            counts[r.origin] = counts.get(r.origin, 0) + 1
        return counts

    def summary(self) -> dict[str, object]:
        """Counts for reports and ``verify-deletion``: deleted rows (complete / partial), old
        versions of live rows, items carved from free overflow chains, zeroing traces."""
        deleted = self.deleted()
        return {
            "deleted_rows": len(deleted),
            "complete": sum(1 for r in deleted if r.complete),
            "partial": sum(1 for r in deleted if not r.complete),
            "superseded": sum(1 for r in self.records if r.kind == "superseded"),
            "by_table": _count(r.table or "?" for r in deleted),
            "by_origin": _count(r.origin for r in deleted),
            "carved_images": sum(1 for c in self.carved if c.kind != "template" and c.validated),
            "carved_templates": sum(1 for c in self.carved if c.kind == "template"),
            "secure_delete_traces": self.secure_delete_traces,
            "unlinked_live": len(self.unlinked),
        }


def _count(items) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts

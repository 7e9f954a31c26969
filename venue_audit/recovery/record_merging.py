"""Recovered rows against live rows and against each other.

A cell found in free space or an old page version may be a row that is still live (SQLite
moved it while rebalancing, or the page version predates an unrelated change): such finds are
dropped. The same deleted row is often found several times (free space of the current page, the
old page version in the WAL, a journal copy): it is reported once, at its highest-confidence
location, with the other locations listed. Copies may differ: truncated copies hold prefixes,
and a partly rewritten page version keeps a row's start but not its tail.
"""

from __future__ import annotations

from dataclasses import dataclass

from venue_audit.recovery.btree_walk import LiveState
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport


def _comparable(values: list, alias: int | None) -> tuple:
    return tuple(None if i == alias else v for i, v in enumerate(values))


@dataclass
class _RowView:
    """The parts of a row that ``_same_row`` compares (live rows have no RecoveredRecord)."""

    values: list
    rowid: int | None
    complete: bool


def _same_row(
    a: RecoveredRecord | _RowView, b: RecoveredRecord | _RowView, alias: int | None
) -> tuple[bool, bool]:
    """Whether two finds are copies of one row, and whether their blob bytes agree.

    Copies may differ: a truncated copy holds a prefix of a text or blob, and a page version
    that was partly rewritten keeps the row's start but not its tail. They are the same row when
    no non-blob value conflicts and either two distinctive non-blob values are equal, or all
    blobs agree and some value is equal.
    """
    if a.rowid is not None and b.rowid is not None and a.rowid != b.rowid:
        return False, False
    distinctive = equal = 0
    bytes_agree = True
    for i, (x, y) in enumerate(zip(a.values, b.values, strict=False)):
        if i == alias or x is None or y is None:
            continue
        if isinstance(x, bytes) or isinstance(y, bytes):
            if not (isinstance(x, bytes) and isinstance(y, bytes)):
                return False, False
            if x.startswith(y) or y.startswith(x):
                equal += 1
            else:
                bytes_agree = False
            continue
        if x == y:
            equal += 1
            distinctive += len(str(x)) >= 4
        elif isinstance(x, str) and isinstance(y, str) and (
            (not a.complete and y.startswith(x.rstrip("\ufffd")))
            or (not b.complete and x.startswith(y.rstrip("\ufffd")))
        ):
            continue
        else:
            return False, False
    same = distinctive >= 2 or (bytes_agree and equal >= 1)
    return same, bytes_agree


def _key_of(values: list, columns: list[int]) -> tuple | None:
    """The primary-key values of a row, or None when there is no key or a part is unknown."""
    if not columns or any(c >= len(values) or values[c] is None for c in columns):
        return None
    return tuple(_hashable(values[c]) for c in columns)


def _hashable(value: object) -> object:
    return bytes(value) if isinstance(value, bytearray | memoryview) else value


def _scalar_keys(table: str | None, values: list, alias: int | None) -> list[tuple]:
    """Index keys of a row: its distinctive non-blob values (4+ characters when printed)."""
    return [
        (table, i, v) for i, v in enumerate(values)
        if i != alias and isinstance(v, str | int | float) and len(str(v)) >= 4
    ]


def _most_selective(index: dict[tuple, list], table: str | None, values: list, alias: int | None) -> list:
    """Rows sharing the rarest of this row's distinctive values (a copy of the same row shares
    all of them, so the shortest non-empty list is enough to find it)."""
    lists = [index[k] for k in _scalar_keys(table, values, alias) if k in index]
    return min(lists, key=len) if lists else []


def drop_live_and_merge(
    records: list[RecoveredRecord], live: LiveState, report: RecoveryReport
) -> list[RecoveredRecord]:
    """Drop finds that are live rows, mark old versions of live rows "superseded", and merge
    copies of one deleted row (the best copy first: complete, then highest confidence)."""
    aliases = {t.name: t.rowid_alias for t in live.tables}
    live_full: dict[tuple, set[int]] = {}
    live_by_value: dict[tuple, list[_RowView]] = {}
    live_rowids: dict[tuple[str, int], tuple] = {}
    # for cut-off finds with no distinctive value left: the live row with the same rowid, or
    # with the same first (key) value
    live_by_key: dict[tuple, list[_RowView]] = {}
    for row in live.rows:
        alias = aliases.get(row.table)
        key = (row.table, _comparable(row.values, alias))
        live_full.setdefault(key, set()).add(row.rowid)
        view = _RowView(row.values, row.rowid, True)
        for index_key in _scalar_keys(row.table, row.values, alias):
            live_by_value.setdefault(index_key, []).append(view)
        live_rowids[(row.table, row.rowid)] = key
        if row.rowid is not None:
            live_by_key.setdefault((row.table, "rowid", row.rowid), []).append(view)
        if row.values and row.values[0] is not None:
            live_by_key.setdefault((row.table, 0, _hashable(row.values[0])), []).append(view)
    # a WITHOUT ROWID table's primary key is unique: a find with a live row's key is that
    # row's stale copy or an older version of it, never a deleted row of its own
    primary_keys = {t.name: t.pk_columns for t in live.tables if t.without_rowid and t.pk_columns}
    live_keys = {
        (row.table, _key_of(row.values, primary_keys[row.table]))
        for row in live.rows if row.table in primary_keys
    }
    kept: list[RecoveredRecord] = []
    dropped_live = 0
    for rec in records:
        alias = aliases.get(rec.table) if rec.table else None
        key = (rec.table, _comparable(rec.values, alias))
        if rec.complete and key in live_full and (rec.rowid is None or rec.rowid in live_full[key]):
            dropped_live += 1
            continue
        pk = _key_of(rec.values, primary_keys.get(rec.table or "", []))
        if pk is not None and (rec.table, pk) in live_keys:
            if rec.method.startswith("anchored"):
                dropped_live += 1  # values rebuilt around a lost header: not worth a version
                continue
            rec.kind = "superseded"
        if not rec.complete:
            views = _most_selective(live_by_value, rec.table, rec.values, alias)
            if rec.rowid is not None:
                views = [*views, *live_by_key.get((rec.table, "rowid", rec.rowid), [])]
            if rec.values and rec.values[0] is not None:
                views = [*views, *live_by_key.get((rec.table, 0, _hashable(rec.values[0])), [])]
            verdicts = [_same_row(rec, view, alias) for view in views]
            if any(same and agree for same, agree in verdicts):
                dropped_live += 1
                continue
            if any(same for same, _agree in verdicts):
                rec.kind = "superseded"
                rec.notes.append("same row as a live one, with different blob bytes")
        if rec.rowid is not None and rec.table and (rec.table, rec.rowid) in live_rowids:
            rec.kind = "superseded"
        kept.append(rec)
    if dropped_live:
        report.notes.append(f"{dropped_live} found cells are rows still live; not reported")
    kept.sort(key=lambda r: (not r.complete, -r.confidence))
    merged: list[RecoveredRecord] = []
    by_table: dict[str | None, list[RecoveredRecord]] = {}
    by_value: dict[tuple, list[RecoveredRecord]] = {}
    for rec in kept:
        alias = aliases.get(rec.table) if rec.table else None
        group = by_table.setdefault(rec.table, [])
        candidates = _most_selective(by_value, rec.table, rec.values, alias)
        if not candidates:
            candidates = group[-2000:]  # no exact scalar to look up: compare with recent finds
        twin = None
        for g in candidates:
            same, bytes_agree = _same_row(rec, g, alias)
            if same:
                twin = g
                break
        if twin is None:
            group.append(rec)
            merged.append(rec)
            for key in _scalar_keys(rec.table, rec.values, alias):
                by_value.setdefault(key, []).append(rec)
            continue
        if not bytes_agree:
            twin.notes.append(f"another copy at {rec.location} differs in its blob bytes")
        twin.also_found_at.append(f"{rec.location} confidence {rec.confidence}")
        if twin.rowid is None and rec.rowid is not None:
            twin.rowid = rec.rowid
            if alias is not None and alias < len(twin.values):
                twin.values[alias] = rec.rowid
    merged.sort(key=lambda r: (r.table or "", r.file, r.page, r.offset))
    return merged

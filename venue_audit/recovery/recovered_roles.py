"""Which columns of recovered rows hold face images and templates, decided exactly as for live
tables (``venue_audit.sources.classify``), so deleted and live data are counted by one rule.

``RecoveredRecord.blob_kinds`` is a per-value hint from recovery's own strict tests; this is the
table-level decision the scanner should use when it turns recovered rows into artifacts.
"""

from __future__ import annotations

from venue_audit.recovery.models import RecoveredRecord
from venue_audit.sources.classify import ColumnRoles, classify


def column_roles(records: list[RecoveredRecord]) -> dict[str | None, ColumnRoles]:
    """Classify the columns of recovered rows, per table, from their complete values."""
    by_table: dict[str | None, list[RecoveredRecord]] = {}
    for rec in records:
        by_table.setdefault(rec.table, []).append(rec)
    roles: dict[str | None, ColumnRoles] = {}
    for table, recs in by_table.items():
        width = max(len(r.values) for r in recs)
        columns = next((r.columns for r in recs if len(r.columns) == width), recs[0].columns)
        sample = [r.values for r in recs if r.complete and len(r.values) == width]
        if not sample:
            sample = [r.values for r in recs if len(r.values) == width]
        roles[table] = classify(list(columns), sample, table or "")
    return roles

"""Recovery of deleted face data: SQLite records from free space, WAL and journals; raw carving.

Public API::

    recover_sqlite(db, wal=None, journal=None, name="") -> RecoveryReport
    recover_sqlite_file(db_path, name="") -> RecoveryReport   # picks up -wal / -journal
    carve(data, name="", exclude_ranges=()) -> list[CarvedItem]
    column_roles(records) -> {table: ColumnRoles}   # image/template columns, live-data rules
"""

from venue_audit.recovery.carving import CarvedItem, carve
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport
from venue_audit.recovery.recovered_roles import column_roles
from venue_audit.recovery.sqlite_recovery import (
    companion_files,
    recover_sqlite,
    recover_sqlite_file,
)

__all__ = [
    "CarvedItem",
    "RecoveredRecord",
    "RecoveryReport",
    "carve",
    "column_roles",
    "companion_files",
    "recover_sqlite",
    "recover_sqlite_file",
]

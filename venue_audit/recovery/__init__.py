"""Recovery of deleted face data: SQLite records from free space, WAL and journals; raw carving.

Public API::

    recover_sqlite(db, wal=None, journal=None, name="") -> RecoveryReport
    recover_sqlite_file(db_path, name="") -> RecoveryReport   # picks up -wal / -journal
    carve(data, name="", exclude_ranges=()) -> list[CarvedItem]
"""

from venue_audit.recovery.carving import CarvedItem, carve
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport
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
    "companion_files",
    "recover_sqlite",
    "recover_sqlite_file",
]

"""Recovery of deleted face data: SQLite records from free space, WAL and journals; raw carving.

Public API::

    recover_sqlite(db, wal=None, journal=None, name="") -> RecoveryReport
    carve(data, name="", exclude_ranges=()) -> list[CarvedItem]
"""

from venue_audit.recovery.carving import CarvedItem, carve
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport
from venue_audit.recovery.sqlite_recovery import recover_sqlite

__all__ = ["CarvedItem", "RecoveredRecord", "RecoveryReport", "carve", "recover_sqlite"]

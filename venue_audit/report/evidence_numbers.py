"""Which item of the evidence list (电子数据清单, manifest.csv) a record came from.

A reader names the file it opened (``artifacts.evidence_id``); for a picture inside an archive
that is the archive, while the evidence list numbers each archive member on its own row. A
thumbnail or a faces.csv row must point at the member's row, so the member is found from the
record's locator (``backup.zip!/faces/a.jpg``, ``backup.zip!/inner.db, table t, rowid 3``).
"""

from __future__ import annotations

from typing import Any

MEMBER_MARK = "!/"


class EvidenceNumbers:
    """Numbers as the evidence list prints them: current items ordered by source root and path
    (the order of :func:`venue_audit.acquire.exports.manifest_rows`)."""

    def __init__(self, db: Any) -> None:
        rows = db.query(
            "select e.id, e.path from evidence e join sources s on s.id = e.source_id "
            "where e.current = 1 order by s.root, e.path"
        )
        self._by_id: dict[int, int] = {}
        self._path_of: dict[int, str] = {}
        self._by_path: dict[str, int] = {}
        for number, row in enumerate(rows, 1):
            self._by_id[row["id"]] = number
            self._path_of[row["id"]] = row["path"]
            self._by_path.setdefault(row["path"], number)

    def of(self, evidence_id: int | None, locator: str = "") -> int | None:
        """The member's number when the locator names one inside ``evidence_id``, else the
        file's own number; None for a record of no listed item."""
        if evidence_id is None:
            return None
        container = self._path_of.get(evidence_id)
        if container is not None and MEMBER_MARK in locator and MEMBER_MARK not in container:
            member = container + locator[locator.index(MEMBER_MARK) :]
            for candidate in (member, member.split(", ")[0]):
                if candidate in self._by_path:
                    return self._by_path[candidate]
        return self._by_id.get(evidence_id)

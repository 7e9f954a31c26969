"""Unknown binary files (disk images, blobs, slack): carve pictures and templates from the raw bytes.

Only files no other reader claims reach this one. What it finds is marked
deleted (it has no live structure around it) and counted apart from live data.
"""

from __future__ import annotations

from collections.abc import Iterator

from venue_audit.recovery import carve
from venue_audit.sources.base import Item, Problem, ScanContext, SourceReader, StoreFound, Yield
from venue_audit.sources.registry import register
from venue_audit.sources.sqlite import carved_table

MAX_CARVE_BYTES = 1 << 30


@register
class CarvingReader(SourceReader):
    NAME = "carve"
    DESCRIPTION = (
        "raw carving of JPEG/PNG/WebP pictures and float32 templates from unknown binary files"
    )
    PRIORITY = 900

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type in ("binary", "sqlite-wal", "sqlite-journal")

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        if item.size > MAX_CARVE_BYTES:
            yield Problem(
                item.locator,
                f"{item.size} bytes: larger than the carving limit of {MAX_CARVE_BYTES}, not carved",
                "carving.too_large",
                {"size": item.size, "limit": MAX_CARVE_BYTES},
            )
            return
        found = [
            c for c in carve(item.read(), name=item.name) if c.validated or c.kind == "template"
        ]
        if found:
            yield StoreFound("carved", details={"items": len(found)})
            yield carved_table(found, item.name)

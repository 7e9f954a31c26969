"""Offer an item to the registered readers and follow what they yield, recursively.

Every yield comes out paired with the store it belongs to: the nearest
enclosing item a reader recognised as a store (a database, an archive, a dump),
or, for loose files, the folder they sit in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from venue_audit.sources.base import EmbeddedFile, Item, Problem, ScanContext, StoreFound, Yield
from venue_audit.sources.registry import reader_for

HEAD_SIZE = 512


@dataclass
class StoreRef:
    locator: str
    kind: str
    profile: str = "generic"
    evidence_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Unclaimed:
    """An item no reader wanted (a PDF, a config file): not face data, only counted."""

    locator: str
    type: str


def folder_store(item: Item) -> StoreRef:
    folder = posixpath.dirname(item.locator) or "."
    return StoreRef(folder, "folder", evidence_id=None)


def _head(item: Item) -> bytes:
    with item.open() as stream:
        return stream.read(HEAD_SIZE)


def walk(
    item: Item, context: ScanContext, store: StoreRef | None = None
) -> Iterator[tuple[StoreRef, Yield | Unclaimed]]:
    """Everything the readers find in an item, depth first, each with its store."""
    try:
        reader = reader_for(item, _head(item))
    except Exception as error:  # a reader's claims() must not end the scan
        yield (
            store or folder_store(item),
            Problem(
                item.locator,
                f"could not be identified: {type(error).__name__}: {error}",
                "scan.unidentified",
                {"error": f"{type(error).__name__}: {error}"},
            ),
        )
        return
    if reader is None:
        yield store or folder_store(item), Unclaimed(item.locator, item.type)
        return
    own: StoreRef | None = None
    yielded = False
    try:
        for found in reader.read(item, context):
            yielded = True
            if isinstance(found, StoreFound):
                own = StoreRef(
                    item.locator, found.kind, found.profile, item.evidence_id, dict(found.details)
                )
                yield own, found
            elif isinstance(found, EmbeddedFile):
                yield from walk(found.item, context, own or store)
            else:
                yield own or store or folder_store(item), found
        if not yielded:  # claimed (a carving reader, say) but nothing found in it
            yield store or folder_store(item), Unclaimed(item.locator, item.type)
    except Exception as error:  # a reader bug or hostile input: record, go on
        yield (
            own or store or folder_store(item),
            Problem(
                item.locator,
                f"{reader.NAME} reader stopped: {type(error).__name__}: {error}",
                "scan.reader_stopped",
                {"reader": reader.NAME, "error": f"{type(error).__name__}: {error}"},
            ),
        )

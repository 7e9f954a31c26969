"""Items for reader tests, made from bytes or a file, independent of the scanner."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from venue_audit.acquire.filetype import MAGIC_READ_SIZE, detect_type
from venue_audit.sources.base import DefaultContext, Item, SourceReader


def item_from_bytes(name: str, data: bytes) -> Item:
    return Item(
        locator=f"evidence/{name}",
        name=name,
        type=detect_type(data[:MAGIC_READ_SIZE], name),
        size=len(data),
        read=lambda: data,
        open=lambda: io.BytesIO(data),
    )


def item_from_path(path: Path) -> Item:
    with path.open("rb") as stream:
        head = stream.read(MAGIC_READ_SIZE)
    return Item(
        locator=str(path),
        name=path.name,
        type=detect_type(head, path.name),
        size=path.stat().st_size,
        read=path.read_bytes,
        open=lambda: path.open("rb"),
        path=str(path),
    )


def head_of(item: Item) -> bytes:
    with item.open() as stream:
        return stream.read(MAGIC_READ_SIZE)


def read_all(reader: SourceReader, item: Item) -> list[Any]:
    """Everything a reader yields, with each table's rows consumed in order (as the scanner does)."""
    out: list[Any] = []
    for found in reader.read(item, DefaultContext()):
        rows = getattr(found, "rows", None)
        if rows is not None:
            found.rows = list(rows)
        out.append(found)
    return out


def tables(found: list[Any]) -> dict[str, list[list[Any]]]:
    """Rows per table name, joining every TableRows of the same table."""
    out: dict[str, list[list[Any]]] = {}
    for entry in found:
        if hasattr(entry, "columns"):
            out.setdefault(entry.table, []).extend(values for _, values in entry.rows)
    return out


def of_type(found: list[Any], kind: type) -> list[Any]:
    return [entry for entry in found if isinstance(entry, kind)]


def iter_rows(found: list[Any]) -> Iterator[tuple[str, str, list[Any]]]:
    for entry in found:
        if hasattr(entry, "columns"):
            for locator, values in entry.rows:
                yield entry.table, locator, values

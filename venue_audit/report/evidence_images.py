"""Read a face image back from the evidence, read-only, for a sample thumbnail.

The case database keeps locators, not images (our output must not become a
new leak), so a thumbnail is fetched from the evidence when the report is
written, cropped to the detected face, and blurred by the renderer. Three
locator shapes are understood, the ones the scan writes:

- a top-level image file (``export/nvr/CH01/x.jpg``);
- a zip member (``export/cloud/backup.zip!/faces/x.jpg``), read in memory;
- a live SQLite cell (``<db>, table T, rowid N, column C``), from an in-memory
  copy of the database, or from a private copy on disk when it is large (a
  600 MB database of one face and a 500 MB zeroblob must not cost 1 GB of RAM).

Every byte is read through :func:`venue_audit.acquire.items.open_evidence`
(``O_RDONLY | O_NOFOLLOW | O_NOATIME``): writing a report changes neither the
evidence nor its access times.

Anything else (recovered deleted rows, carved bytes, nested archives) yields
no thumbnail rather than a guess; a thumbnail is an illustration, never
evidence in itself, and every failure is silent by design.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

from venue_audit.acquire.exports import absolute_path, display_path, manifest_rows
from venue_audit.acquire.items import open_evidence
from venue_audit.acquire.private_copy import private_copy
from venue_audit.case import Case
from venue_audit.report.redact import ThumbnailError, decode, decode_reduced

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IN_MEMORY_DATABASE_BYTES = 64 * 1024 * 1024  # larger ones are read from a private copy on disk
MAX_DATABASE_BYTES = 4 * 1024 * 1024 * 1024  # larger databases give no thumbnails
FACE_MARGIN = 0.35
FACE_IMAGE_SIDE = 320
_SQLITE_CELL = re.compile(
    r"^(?P<path>.+), table (?P<table>.+), rowid (?P<rowid>\d+), column (?P<column>.+)$"
)
_MEMBER = "!/"


def evidence_thumbnail_source(case: Case) -> EvidenceThumbnails:
    """A function from an ``artifacts`` row to image bytes (PNG), or None."""
    return EvidenceThumbnails(case)


class EvidenceThumbnails:
    """Faces read back from the evidence: ``self(artifact)`` gives PNG bytes (a
    :data:`ThumbnailSource`), ``self.image(artifact)`` the decoded picture, for callers
    that draw it at once (contact sheets) and need not encode it only to decode it again."""

    def __init__(self, case: Case) -> None:
        self._rows = {row["id"]: row for row in manifest_rows(case)}
        self._boxes: dict[int, list[int]] = {}
        for face in case.db.query("select artifact_id, bbox from faces where bbox is not null"):
            try:
                box = json.loads(face["bbox"])
            except (TypeError, json.JSONDecodeError):
                continue
            if isinstance(box, list) and len(box) == 4 and face["artifact_id"] not in self._boxes:
                self._boxes[face["artifact_id"]] = [int(v) for v in box]
        self._databases: dict[Path, sqlite3.Connection | None] = {}

    def __call__(self, artifact: dict[str, Any]) -> bytes | None:
        image = self.image(artifact)
        if image is None:
            return None
        out = io.BytesIO()
        # lossless and only ever decoded again (thumbnail): the fastest level will do
        image.save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def image(self, artifact: dict[str, Any], side: int = FACE_IMAGE_SIDE) -> Image.Image | None:
        """The face, at most ``side`` pixels on its long side."""
        row = self._rows.get(artifact.get("evidence_id"))
        if row is None or artifact.get("deleted"):
            return None
        try:
            data = _read(row, str(artifact.get("locator") or ""), self._databases)
            if data is None:
                return None
            return _face_image(data, self._boxes.get(artifact["id"]), side)
        except (OSError, ValueError, KeyError, sqlite3.Error, zipfile.BadZipFile, ThumbnailError):
            return None


def _read(
    row: dict[str, Any], locator: str, databases: dict[Path, sqlite3.Connection | None]
) -> bytes | None:
    if row["parent_id"] is not None or row["entry"] != "file":
        return None
    path = Path(absolute_path(row))
    cell = _SQLITE_CELL.match(locator)
    if cell is not None:
        if path not in databases:
            databases[path] = _open_database(path, int(row["size"] or 0))
        database = databases[path]
        if database is None:
            return None
        return _sqlite_cell(database, cell["table"], cell["column"], int(cell["rowid"]))
    if _MEMBER in locator:
        container, member = locator.split(_MEMBER, 1)
        if container != display_path(row) or _MEMBER in member:
            return None
        return _zip_member(path, member)
    if locator == display_path(row) and row["size"] and row["size"] <= MAX_IMAGE_BYTES:
        return _read_file(path, MAX_IMAGE_BYTES)
    return None


def _read_file(path: Path, limit: int) -> bytes | None:
    with open_evidence(path) as stream:
        data = stream.read(limit + 1)
    return data if len(data) <= limit else None


def _open_database(path: Path, size: int) -> sqlite3.Connection | None:
    """The database's committed pages, read only through the read-only opener: nothing opens
    the evidence file by name, and no journal or lock file appears beside it.

    Up to ``IN_MEMORY_DATABASE_BYTES`` the pages are copied into memory; a larger database
    is copied (holes kept) into a private folder, opened read-only, and the copy's name
    removed at once: the open connection keeps its bytes until it is closed.
    """
    if not size or size > MAX_DATABASE_BYTES:
        return None
    if size <= IN_MEMORY_DATABASE_BYTES:
        data = _read_file(path, IN_MEMORY_DATABASE_BYTES)
        if not data:
            return None
        connection = sqlite3.connect(":memory:")  # not evidence: bytes read via the opener
        connection.deserialize(data)
        return connection
    with private_copy(path, "thumbnails.sqlite") as copy:
        connection = sqlite3.connect(f"{copy.as_uri()}?mode=ro&immutable=1", uri=True)
        connection.execute("select count(*) from sqlite_master").fetchone()  # opens the file
    return connection


def _sqlite_cell(
    connection: sqlite3.Connection, table: str, column: str, rowid: int
) -> bytes | None:
    quoted_table = '"' + table.replace('"', '""') + '"'
    quoted_column = '"' + column.replace('"', '""') + '"'
    found = connection.execute(
        f"select {quoted_column} from {quoted_table} where rowid = ?", [rowid]
    ).fetchone()
    value = found[0] if found else None
    return bytes(value) if isinstance(value, bytes) and len(value) <= MAX_IMAGE_BYTES else None


def _zip_member(path: Path, member: str) -> bytes | None:
    with open_evidence(path) as stream, zipfile.ZipFile(stream) as archive:
        info = archive.getinfo(member)
        if info.file_size > MAX_IMAGE_BYTES:
            return None
        with archive.open(info) as handle:
            return handle.read(MAX_IMAGE_BYTES + 1)[:MAX_IMAGE_BYTES]


def _face_image(data: bytes, box: list[int] | None, side: int = FACE_IMAGE_SIDE) -> Image.Image:
    """The face with a margin when its box is known (whole frames), else the image as stored,
    at most ``side`` pixels on its long side."""
    if box is None:
        image = decode(data)
    else:
        top, right, bottom, left = box
        margin = int(max(bottom - top, right - left) * FACE_MARGIN)
        region = [left - margin, top - margin, right + margin, bottom + margin]
        # A face is shown at `side` pixels: decoding the whole photo at full size only to
        # shrink the face costs most of a contact sheet's time on photos.
        longest = max(region[2] - region[0], region[3] - region[1])
        image, scale = decode_reduced(data, longest / side)
        region = [round(v * scale) for v in region]
        region = [
            max(0, region[0]),
            max(0, region[1]),
            min(image.width, region[2]),
            min(image.height, region[3]),
        ]
        if region[2] > region[0] and region[3] > region[1]:
            image = image.crop(tuple(region))
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image

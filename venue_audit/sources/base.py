"""What a source reader is, and what it yields.

A reader (one module per format, like plaso's parsers) claims evidence items
by their type, name or first bytes and turns them into a stream of *yields*:
tables of rows for the column classifier, embedded files to dispatch again
(archive members, blobs), timeline events from logs, and located problems.
The core never names a format: it asks the registry which reader claims an
item and consumes whatever that reader yields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from venue_audit.acquire.limits import DEFAULT_LIMITS, ArchiveLimits


@dataclass(frozen=True)
class Item:
    """An evidence item as a reader sees it: bytes on demand plus where they came from.

    ``locator`` is the human-readable place (``server/face.db``,
    ``backup.zip!/day1/0001.jpg``); ``read`` returns the whole content and
    ``open`` a stream, so readers of large files (SQL dumps) can stream.
    ``path`` is set when the item is a real file on disk (never written to).
    """

    locator: str
    name: str
    type: str
    size: int
    read: Callable[[], bytes]
    open: Callable[[], Any]
    path: str | None = None
    mtime: str | None = None
    evidence_id: int | None = None
    depth: int = 0


@dataclass
class StoreFound:
    """A recognised data store (a database, a folder of captures, a dump, a log).

    A streaming reader may yield its StoreFound again as its last yield, with
    details (row counts) it could only know at the end; the scanner updates the
    store by its locator.
    """

    kind: str
    profile: str = "generic"
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableRows:
    """Rows of one table for the column classifier.

    Values are Python values as the store holds them: ``bytes`` for binary
    (already decoded from hex / bytea / ``_binary``), ``str``, ``int``,
    ``float``, ``None``, or ``list`` for arrays. ``rows`` yields
    ``(row_locator, values)`` with values in ``columns`` order; the row
    locator completes the table's locator (``rowid 12``, ``line 4031``).
    """

    table: str
    columns: list[str]
    rows: Iterator[tuple[str, list[Any]]]
    deleted: bool = False
    column_types: list[str] | None = None


@dataclass
class EmbeddedFile:
    """Bytes found inside an item (an archive member, a blob) to dispatch to readers again."""

    item: Item


@dataclass
class ImageFound:
    """A picture to send to the face engine (a file, an archive member, or a blob in a row).

    ``camera`` names the camera or recorder channel where the store says it
    (a Hikvision picture index, a GA/T 1400 DeviceID).
    """

    locator: str
    data: bytes
    captured_at: str | None = None
    captured_at_source: str | None = None
    camera: str | None = None


@dataclass
class VideoFound:
    """A video to sample frames from: a file, or one recording segment of a recorder's file.

    ``started_at`` (the store's time of the first frame) gives each sampled
    frame its capture time; ``camera`` names the channel that recorded it.
    """

    item: Item
    started_at: str | None = None
    started_at_source: str | None = None
    camera: str | None = None


@dataclass
class LogEvent:
    """A line of a log that says face data was packed, sent (uploaded, downloaded) or deleted,
    or that a device captured, recognised or deleted something (with its ``camera``/channel)."""

    at: str | None
    action: str
    count: int | None
    remote: str | None
    locator: str
    text: str
    files: list[str] = field(default_factory=list)
    camera: str | None = None
    # what the device said about each picture it names, by URL (a face box, age group,
    # similarity): the capture record of the evidence file the URL names gets it
    pictures: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Problem:
    """Something that could not be read; counted as skipped and listed in the report.

    ``reason`` is the tool's own sentence; ``code`` names the kind of problem and ``params``
    the values its sentence carries, so the report can word it in its own language from the
    reason table (:mod:`venue_audit.report.reasons`) instead of parsing the sentence.
    """

    locator: str
    reason: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)


Yield = StoreFound | TableRows | EmbeddedFile | ImageFound | VideoFound | LogEvent | Problem


class ScanContext(Protocol):
    limits: ArchiveLimits


@dataclass
class DefaultContext:
    limits: ArchiveLimits = DEFAULT_LIMITS


class SourceReader:
    """Base of every reader. Subclasses set NAME and DESCRIPTION and implement both methods."""

    NAME: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = ""
    PRIORITY: ClassVar[int] = 100

    def claims(self, item: Item, head: bytes) -> bool:
        raise NotImplementedError

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        raise NotImplementedError

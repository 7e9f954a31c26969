"""Link device events to the capture records of the pictures their URLs name.

A camera's push (a Hikvision ISAPI ``faceCapture``, a Dahua ``FaceRecognition``)
names its pictures by URL; the pictures themselves reach the examiner as
files: a receiver's download folder, a ``hivNNNNN.pic`` pack from the card.
Once every item is scanned, each URL is matched against the case:

* a **Hikvision picture id** (``…/picture/Streaming/tracks/103/?name=ch0001_
  03000001329060946534400136268&size=136268``): the 29 digits after the
  channel end with the picture's size (the ``size`` parameter repeats it);
  before it come 7 digits read as the ``hivNNNNN.pic`` file number and 10 as
  the picture's byte offset in that file (every public example is a multiple of
  512, a sector). This reading is inferred from public URLs, not documented: a
  picture carved from that pack within ``[offset, offset + size)`` is linked,
  and the link says it was matched by the picture id. A picture downloaded
  under its id (``ch0001_0300….jpg``) is matched by name.
* a **path**: the URL's last path segment is a file name; among the case's
  pictures with that name the one sharing the longest tail of folders is
  linked (several copies of one picture, equal by SHA-256, are all linked;
  different pictures with an equal tail are *ambiguous*, and none is linked).

The linked record gets the event's time and channel where it has none of its
own (``captured_at_source`` names the event); the device's face box and
attributes for that picture are kept on the link. A URL naming a file that is
in the evidence but holds no detected face is linked to the file only; a URL
naming nothing in the evidence stays an unlinked event, and the report says so.
Links are made once per event; events whose URLs found nothing are tried again
by the next scan (evidence acquired later may hold the picture).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from venue_audit.case import Case
from venue_audit.consent.timestamps import read_timestamp

LINKED = "linked"
FILE_ONLY = "evidence file without a detected face"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not in the evidence"
STATUSES = (LINKED, FILE_ONLY, AMBIGUOUS, NOT_FOUND)
HIKVISION_PICTURE_ID = re.compile(r"^ch(\d{2,5})_(\d{4})(\d{7})(\d{10})(\d{8})$", re.I)
PACK_PICTURE = re.compile(r"hiv(\d{5})\.pic@(\d+)$", re.I)
_SEPARATORS = re.compile(r"[\\/]+|!/")


@dataclass(frozen=True)
class PictureId:
    """A Hikvision picture id as its digits are read (see the module's docstring)."""

    channel: int
    file_number: int
    offset: int
    size: int


@dataclass
class PictureRef:
    """What a URL names: path segments (lower case), and a Hikvision picture id if it has one."""

    segments: list[str]
    picture_id: PictureId | None = None
    id_name: str | None = None


@dataclass
class Candidate:
    key: str
    segments: list[str]
    sha256: str | None = None
    evidence_id: int | None = None


@dataclass
class LinkIndex:
    """The case's pictures by file name, and Hikvision pack pictures by (file number, offset)."""

    records: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    files: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    packs: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Link:
    url: str
    status: str
    record_keys: list[str] = field(default_factory=list)
    evidence_id: int | None = None
    matched_by: str = ""


def picture_id(name: str) -> PictureId | None:
    match = HIKVISION_PICTURE_ID.match(name)
    if match is None:
        return None
    channel, _, number, offset, size = match.groups()
    return PictureId(int(channel), int(number), int(offset), int(size))


def picture_ref(url: str) -> PictureRef:
    """The path segments of a URL or a device path (``/mnt/sd/snap/0930.jpg``, ``D:\\pics\\a.jpg``)."""
    parts = urlsplit(url) if "://" in url else None
    path = parts.path if parts else url.split("?", 1)[0]
    segments = [unquote(s).lower() for s in _SEPARATORS.split(path) if s]
    ref = PictureRef(segments)
    query = parse_qs(parts.query if parts else url.partition("?")[2])
    for name in query.get("name", []):
        found = picture_id(name.strip())
        if found is not None:
            ref.picture_id, ref.id_name = found, name.strip().lower()
    return ref


def segments_of(locator: str) -> list[str]:
    """A record key or evidence path as lower-case path segments (archive members included)."""
    return [s.lower() for s in _SEPARATORS.split(locator) if s]


def _tail(a: list[str], b: list[str]) -> int:
    shared = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        shared += 1
    return shared


def build_index(case: Case) -> LinkIndex:
    """Every picture record of the case by its file name, and every acquired file by name."""
    index = LinkIndex()
    for row in case.db.query(
        "select record_key, min(sha256) as sha256, min(evidence_id) as evidence_id from artifacts"
        " where kind != 'template' and record_key not like '%, table %' group by record_key"
    ):
        key = row["record_key"] or ""
        pack = PACK_PICTURE.search(key)
        if pack:
            index.packs[int(pack[1])].append((int(pack[2]), key))
            continue
        segments = segments_of(key)
        if segments:
            index.records[segments[-1]].append(
                Candidate(key, segments, row["sha256"], row["evidence_id"])
            )
    for row in case.db.query(
        "select id, path, sha256 from evidence where current = 1 and entry = 'file'"
    ):
        segments = segments_of(row["path"] or "")
        if segments:
            index.files[segments[-1]].append(
                Candidate(row["path"], segments, row["sha256"], row["id"])
            )
    return index


def _best(candidates: list[Candidate], segments: list[str]) -> tuple[int, list[Candidate]]:
    scored = [(_tail(c.segments, segments), c) for c in candidates]
    top = max((score for score, _ in scored), default=0)
    return top, [c for score, c in scored if score == top and top > 0]


def link_url(url: str, index: LinkIndex) -> Link:
    """What in the case a picture URL names: a record, a file without a face, or nothing."""
    ref = picture_ref(url)
    found = ref.picture_id
    if found is not None:
        keys = [
            key for offset, key in index.packs.get(found.file_number, [])
            if found.offset <= offset < found.offset + found.size
        ]
        if keys:
            return Link(url, LINKED, keys, matched_by=(
                f"Hikvision picture id: file hiv{found.file_number:05d}.pic, offset "
                f"{found.offset}, size {found.size} (inferred reading of the id)"))
    names = [ref.segments[-1]] if ref.segments else []
    if ref.id_name:
        names += [ref.id_name, f"{ref.id_name}.jpg"]
    for name in names:
        segments = [*ref.segments[:-1], name] if name != (ref.segments or [""])[-1] else ref.segments
        shared, records = _best(index.records.get(name, []), segments)
        if records:
            if len({c.sha256 for c in records}) > 1:
                return Link(url, AMBIGUOUS, matched_by=(
                    f"{len(records)} different pictures end with "
                    f"{'/'.join(segments[-shared:])}"))
            return Link(url, LINKED, sorted({c.key for c in records}),
                        matched_by=_path_match(shared))
        shared, files = _best(index.files.get(name, []), segments)
        if files:
            return Link(url, FILE_ONLY, evidence_id=files[0].evidence_id,
                        matched_by=_path_match(shared))
    return Link(url, NOT_FOUND)


def _path_match(shared: int) -> str:
    return "file name" if shared == 1 else f"file name and {shared - 1} folder(s)"


def _pending_events(case: Case) -> list[dict[str, Any]]:
    """Events with picture URLs never linked, or whose URLs found nothing last time."""
    return list(case.db.query(
        "select id, at, camera, locator, files, pictures from timeline_events t"
        " where files is not null and files != '[]' and not exists"
        f" (select 1 from event_links l where l.event_id = t.id and l.status != '{NOT_FOUND}')"
        " order by id"
    ))


def link_events(case: Case) -> dict[str, int]:
    """Link every device event's picture URLs to the case's records; counts by status."""
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    conn = case.db.conn
    with case.transaction():  # links whose record or event is gone (a purged item) go too
        conn.execute(
            "delete from event_links where event_id not in (select id from timeline_events)"
            " or (record_key is not null and record_key not in"
            " (select record_key from artifacts where record_key is not null))"
        )
    events = _pending_events(case)
    if not events:
        return counts
    index = build_index(case)
    with case.transaction():
        for event in events:
            conn.execute("delete from event_links where event_id = ?", (event["id"],))
            pictures = _json(event["pictures"], {})
            for url in _json(event["files"], []):
                link = link_url(str(url), index)
                counts[link.status] += 1
                attributes = pictures.get(url) if isinstance(pictures, dict) else None
                _write(case, event, link, attributes)
    return counts


def _write(case: Case, event: dict[str, Any], link: Link, attributes: Any) -> None:
    conn = case.db.conn
    facts = json.dumps(attributes, ensure_ascii=False) if attributes else None
    for key in link.record_keys or [None]:  # type: ignore[list-item]
        conn.execute(
            "insert into event_links (event_id, url, status, record_key, evidence_id,"
            " matched_by, attributes) values (?, ?, ?, ?, ?, ?, ?)",
            (event["id"], link.url, link.status, key, link.evidence_id, link.matched_by, facts),
        )
        if key is None:
            continue
        at = read_timestamp(event["at"], case.info.tz) if event["at"] else None
        if at is not None:
            conn.execute(
                "update artifacts set captured_at = ?, captured_at_source = ?,"
                " captured_at_offset = ? where record_key = ? and captured_at is null",
                (at.at.isoformat(), f"device event ({event['locator']})", at.offset, key),
            )
        if event["camera"]:
            conn.execute(
                "update artifacts set camera = ? where record_key = ? and camera is null",
                (event["camera"], key),
            )


def _json(text: Any, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except (TypeError, ValueError):
        return default

"""Hash one source entry, and every member inside it when it is an archive.

This is the unit of work a worker process runs. It opens evidence read-only
(``O_NOATIME`` where the kernel allows it, so not even the access time moves),
never follows a symlink, and turns every failure into a recorded error on the
item instead of an exception.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from venue_audit.acquire import archives
from venue_audit.acquire.filetype import MAGIC_READ_SIZE, detect_type
from venue_audit.acquire.hashing import (
    CHUNK_SIZE,
    Digests,
    SizeLimitExceeded,
    hash_bytes,
    hash_stream,
)
from venue_audit.acquire.limits import ArchiveLimits
from venue_audit.acquire.names import storable

MEMBER_SEPARATOR = "!/"
SMALL_FILE_BYTES = CHUNK_SIZE  # read whole, in memory; larger files stream in chunks


@dataclass
class ItemRecord:
    """One row of the evidence manifest, before it has an id.

    ``container`` is the enclosing archive's path; ``parent`` its index in the same batch.
    """

    path: str
    name: str
    entry: str
    type: str = ""
    size: int = 0
    mtime: str | None = None
    md5: str | None = None
    sha256: str | None = None
    sm3: str | None = None
    link_target: str | None = None
    error: str | None = None
    parent: int | None = None
    container: str | None = None

    def set_digests(self, digests: Digests) -> None:
        self.size, self.md5, self.sha256, self.sm3 = (
            digests.size,
            digests.md5,
            digests.sha256,
            digests.sm3,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def open_evidence(path: Path) -> BinaryIO:
    """Open a regular file for reading without following links or touching its atime.

    ``O_NONBLOCK`` and the check that follows refuse an entry that stopped being a
    regular file since it was listed (a FIFO would block the open forever).
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags | noatime)
    except PermissionError:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno != errno.EINVAL:
            raise
        fd = os.open(path, flags)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(
            errno.EINVAL, "not a regular file (it changed since it was listed)", str(path)
        )
    return os.fdopen(fd, "rb")


def _unlistable(path: Path) -> str:
    from venue_audit.acquire.walk import list_directory

    try:
        list_directory(path)
    except OSError as error:
        return f"folder could not be listed ({error.strerror or error}): its contents were not acquired"
    return "folder could not be listed when acquired: its contents were not acquired"


def atime_protected(path: Path) -> bool:
    """Whether the kernel lets this user open ``path`` with ``O_NOATIME``.

    Linux allows it to a file's owner and to root only; for anyone else every opener
    falls back to a plain read-only open, and acquisition records that in custody.
    """
    noatime = getattr(os, "O_NOATIME", 0)
    if not noatime:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | noatime)
    except PermissionError:
        return False
    except OSError:
        return True  # a symlink or unreadable root: nothing is read through it anyway
    os.close(fd)
    return True


def _iso_mtime(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds")


class _HeadStream:
    """A stream whose first bytes were already read (for type detection)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._rest.read(n)


def hash_entry(root: Path, relative: str, limits: ArchiveLimits) -> list[ItemRecord]:
    """The records for one directory entry: itself, then its archive members.

    Names come out storable: undecodable bytes of file and member names as ``\\xNN``.
    """
    records = _hash_entry(root, relative, limits)
    for record in records:
        record.path, record.name = storable(record.path), storable(record.name)
        if record.link_target is not None:
            record.link_target = storable(record.link_target)
        if record.container is not None:
            record.container = storable(record.container)
    return records


def _hash_entry(root: Path, relative: str, limits: ArchiveLimits) -> list[ItemRecord]:
    path = root / relative if relative else root
    name = path.name
    shown = relative or name
    try:
        info = os.lstat(path)
    except OSError as error:
        return [ItemRecord(shown, name, "unreadable", error=f"cannot stat: {error.strerror}")]
    mtime = _iso_mtime(info.st_mtime)
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(path)
        return [
            ItemRecord(
                shown,
                name,
                "symlink",
                "symlink",
                0,
                mtime,
                link_target=target,
                error="symlink: recorded, not followed",
            )
        ]
    if stat.S_ISDIR(info.st_mode):  # listed as an entry only when it could not be opened
        return [
            ItemRecord(
                shown, name, "directory", "directory", 0, mtime, error=_unlistable(path)
            )
        ]
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "fifo"
            if stat.S_ISFIFO(info.st_mode)
            else "socket"
            if stat.S_ISSOCK(info.st_mode)
            else "device"
        )
        return [ItemRecord(shown, name, kind, kind, 0, mtime, error=f"{kind}: recorded, not read")]
    record = ItemRecord(shown, name, "file", size=info.st_size, mtime=mtime)
    records = [record]
    try:
        with open_evidence(path) as stream:
            if info.st_size <= SMALL_FILE_BYTES:
                # Most evidence is pictures of a few KiB: one read, one update per digest.
                data = _read_to_end(stream.fileno(), info.st_size)
                record.type = detect_type(data[:MAGIC_READ_SIZE], name)
                record.set_digests(hash_bytes(data))
                stream = archives.in_memory(data)
            else:
                head = stream.read(MAGIC_READ_SIZE)
                record.type = detect_type(head, name)
                stream.seek(0)
                record.set_digests(hash_stream(stream, info.st_size))
            kind = _archive_kind(record.type, stream)
            if kind:
                stream.seek(0)
                records.extend(_members(stream, kind, shown, 1, limits))
    except OSError as error:
        record.error = f"cannot read: {error.strerror or error}"
    return resolve_parents(records)


def _read_to_end(fd: int, size: int) -> bytes:
    """The file's bytes to its end, in one system call when it is still ``size`` long
    (a second, empty read confirms the end; a file that grew is read to its new end)."""
    parts = [os.read(fd, size + 1)]
    while parts[-1]:
        parts.append(os.read(fd, CHUNK_SIZE))
    return b"".join(parts)


def _archive_kind(file_type: str, stream: BinaryIO) -> str | None:
    stream.seek(0)
    return archives.archive_kind(file_type, stream)


def _members(
    stream: BinaryIO, kind: str, parent_path: str, depth: int, limits: ArchiveLimits
) -> Iterator[ItemRecord]:
    """Records of an archive's members, nested archives included (depth-first)."""
    total = 0
    try:
        for member in archives.list_members(kind, stream, limits):
            path = f"{parent_path}{MEMBER_SEPARATOR}{member.label}"
            record = ItemRecord(
                path,
                member.name.rsplit("/", 1)[-1],
                member.entry,
                size=member.size,
                mtime=member.mtime,
                link_target=member.link_target,
                container=parent_path,
            )
            notes = []
            if member.suspicious_name:
                notes.append("unsafe member name (absolute or '..'): recorded, never extracted")
            nested = None
            if member.note:
                notes.append(member.note)
            if member.problem:
                notes.append(member.problem)
            elif member.open is not None:
                if total + member.size > limits.max_total_bytes:
                    notes.append(
                        f"archive exceeds the total limit of {limits.max_total_bytes} bytes: not read"
                    )
                else:
                    total += member.size
                    nested = _read_member(member, record, depth, limits, notes)
            record.error = "; ".join(notes) or None
            yield record
            if nested is not None:
                nested_kind, nested_stream = nested
                yield from _members(nested_stream, nested_kind, path, depth + 1, limits)
    except Exception as error:  # a corrupt archive must not end the acquisition
        yield ItemRecord(
            f"{parent_path}{MEMBER_SEPARATOR}",
            "",
            "unreadable",
            container=parent_path,
            error=f"archive could not be read past this point: {type(error).__name__}: {error}",
        )


def _read_member(
    member: archives.Member, record: ItemRecord, depth: int, limits: ArchiveLimits, notes: list[str]
) -> tuple[str, BinaryIO] | None:
    """Hash a member; when it is itself an archive small enough, return it for recursion."""
    assert member.open is not None
    try:
        with member.open() as stream:
            head = stream.read(MAGIC_READ_SIZE)
            record.type = detect_type(head, member.name)
            may_nest = (
                record.type in ("zip", "tar", "gzip", "bzip2", "xz") and depth < limits.max_depth
            )
            if may_nest and member.size <= limits.in_memory_nested_bytes:
                data = head + _read_capped(stream, limits.in_memory_nested_bytes)
                record.set_digests(hash_bytes(data))
                buffer = archives.in_memory(data)
                kind = archives.archive_kind(record.type, buffer)
                return (kind, buffer) if kind else None
            if may_nest:
                notes.append(
                    "nested archive larger than the in-memory limit: hashed, members not listed"
                )
            elif record.type in ("zip", "tar") and depth >= limits.max_depth:
                notes.append(
                    f"nested archive deeper than {limits.max_depth} levels: hashed, members not listed"
                )
            record.set_digests(
                hash_stream(
                    _HeadStream(head, stream), member.size, limit=max(member.size, 0) + (1 << 20)
                )
            )
    except SizeLimitExceeded:
        notes.append("member inflates past its declared size (suspected bomb): hashing stopped")
    except Exception as error:  # zlib errors, bad CRC, truncated data
        notes.append(f"member could not be read: {type(error).__name__}: {error}")
    return None


def _read_capped(stream: BinaryIO, cap: int) -> bytes:
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise SizeLimitExceeded("member larger than the in-memory limit")
    return data


def resolve_parents(records: list[ItemRecord]) -> list[ItemRecord]:
    """Point each member at its enclosing archive's index in the batch."""
    index_by_path = {r.path: i for i, r in enumerate(records) if r.entry == "file" or r.container}
    for record in records:
        if record.container is not None:
            record.parent = index_by_path.get(record.container)
    return records

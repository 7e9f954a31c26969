"""Enumerate the members of zip and tar archives without extracting them.

Members are read as streams from the archive in place; nothing is ever written
next to the evidence. Each member is described before it is read, so a bomb or
a traversal name is recognised and recorded from its header alone.
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from venue_audit.acquire.limits import ArchiveLimits


@dataclass
class Member:
    """One archive member as its header describes it."""

    name: str
    entry: str
    size: int
    compressed_size: int | None
    mtime: str | None
    link_target: str | None = None
    problem: str | None = None
    open: Callable[[], BinaryIO] | None = None
    encrypted: bool = False
    occurrence: int = 1
    note: str | None = None  # an anomaly that does not stop the member being read

    @property
    def suspicious_name(self) -> bool:
        return name_is_unsafe(self.name)

    @property
    def label(self) -> str:
        """The name made unique in its archive: the n-th member of a repeated name is ``name#n``.

        Archives may hold several members of one name (a trick to hide content); each
        is a capture of its own, so each needs a locator of its own.
        """
        return self.name if self.occurrence == 1 else f"{self.name}#{self.occurrence}"


def name_is_unsafe(name: str) -> bool:
    """Absolute or parent-escaping names: harmless here (we never extract) but worth recording."""
    normal = name.replace("\\", "/")
    return (
        normal.startswith("/")
        or (len(normal) > 1 and normal[1] == ":")
        or ".." in normal.split("/")
    )


def _zip_time(info: zipfile.ZipInfo) -> str | None:
    try:
        return datetime(*info.date_time).isoformat()
    except ValueError:
        return None


def _overlaps(
    infos: list[zipfile.ZipInfo],
) -> tuple[dict[int, list[str]], set[int], dict[int, str]]:
    """Entries that share or overlap stored bytes, by the central directory alone.

    ``aliases``: for the first entry at each local-header offset, the names of later
    entries pointing at the same header (one stored item listed many times: 3,000
    entries naming one face made 2,999 "duplicates"). ``overlapping``: entries whose
    stored bytes run into the next entry's header (the overlapping-file zip bomb).
    """
    first_at: dict[int, int] = {}
    aliases: dict[int, list[str]] = {}
    aliased: set[int] = set()
    for index, info in enumerate(infos):
        owner = first_at.setdefault(info.header_offset, index)
        if owner != index:
            aliases.setdefault(owner, []).append(info.filename)
            aliased.add(index)
    starts = sorted(first_at)
    overlapping = {}
    for position, offset in enumerate(starts[:-1]):
        info = infos[first_at[offset]]
        header = 30 + len(info.orig_filename.encode("utf-8", "surrogateescape")) + len(info.extra)
        following = starts[position + 1]
        if offset + header + info.compress_size > following:
            overlapping[first_at[offset]] = (
                f"its stored bytes run into the member at offset {following} "
                "(overlapping entries, a zip-bomb technique): read once, as listed"
            )
    return aliases, aliased, overlapping


def zip_members(fileobj: BinaryIO, limits: ArchiveLimits) -> Iterator[Member]:
    with zipfile.ZipFile(fileobj) as archive:
        infos = archive.infolist()
        aliases, aliased, overlapping = _overlaps(infos[: limits.max_members])
        for count, info in enumerate(infos):
            if count >= limits.max_members:
                yield Member(
                    info.filename,
                    "member",
                    0,
                    None,
                    None,
                    problem=f"more than {limits.max_members} members; the rest were not listed",
                )
                return
            if info.is_dir():
                continue
            if count in aliased:
                continue  # listed once, under the first entry naming its local header
            unix_mode = info.external_attr >> 16
            member = Member(
                info.filename, "member", info.file_size, info.compress_size, _zip_time(info)
            )
            if count in aliases:
                names = aliases[count]
                shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
                member.note = (
                    f"{len(names)} more central-directory entries point at this member's local "
                    f"header ({shown}): one stored item, listed and counted once (an anomaly: "
                    "entries sharing bytes)"
                )
            elif count in overlapping:
                member.note = overlapping[count]
            if stat.S_ISLNK(unix_mode):
                member.entry = "symlink"
                member.problem = "symlink member: recorded, not followed"
            elif info.flag_bits & 0x1:
                member.encrypted = True
                member.problem = "encrypted member and no password given: contents not read"
            else:
                member.problem = _bomb_problem(info.file_size, info.compress_size, limits)
                if member.problem is None:
                    member.open = _opener(archive, info)
            yield member


def _opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], BinaryIO]:
    return lambda: archive.open(info)  # type: ignore[return-value]


def _bomb_problem(size: int, compressed: int | None, limits: ArchiveLimits) -> str | None:
    if size > limits.max_member_bytes:
        return (
            f"declares {size} bytes, over the member limit of {limits.max_member_bytes}: not read"
        )
    if compressed is not None and size > limits.ratio_applies_above:
        ratio = size / max(compressed, 1)
        if ratio > limits.max_ratio:
            return f"compression ratio {ratio:.0f}:1 over the limit of {limits.max_ratio:.0f}:1 (suspected zip bomb): not read"
    return None


_TAR_ENTRY = {
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.CHRTYPE: "device",
    tarfile.BLKTYPE: "device",
    tarfile.FIFOTYPE: "fifo",
}


def tar_members(fileobj: BinaryIO, limits: ArchiveLimits) -> Iterator[Member]:
    with tarfile.open(fileobj=fileobj, mode="r:*") as archive:
        count = 0
        while True:
            info = archive.next()
            if info is None:
                return
            count += 1
            if count > limits.max_members:
                yield Member(
                    info.name,
                    "member",
                    0,
                    None,
                    None,
                    problem=f"more than {limits.max_members} members; the rest were not listed",
                )
                return
            if info.isdir():
                continue
            mtime = datetime.fromtimestamp(info.mtime, UTC).isoformat() if info.mtime else None
            member = Member(info.name, _TAR_ENTRY.get(info.type, "member"), info.size, None, mtime)
            if member.entry != "member":
                member.link_target = info.linkname or None
                member.problem = f"{member.entry} member: recorded, not followed or read"
            elif not info.isfile():
                member.problem = "unsupported tar member type: recorded, not read"
            else:
                member.problem = _bomb_problem(info.size, None, limits)
                if member.problem is None:
                    member.open = _tar_opener(archive, info)
            yield member


def _tar_opener(archive: tarfile.TarFile, info: tarfile.TarInfo) -> Callable[[], BinaryIO]:
    def open_member() -> BinaryIO:
        stream = archive.extractfile(info)
        if stream is None:
            raise OSError("tar member has no data")
        return stream  # type: ignore[return-value]

    return open_member


def is_tar(fileobj: BinaryIO) -> bool:
    """Whether a (possibly compressed) stream is a tar archive; leaves it rewound."""
    try:
        with tarfile.open(fileobj=fileobj, mode="r:*") as archive:
            return archive.next() is not None
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return False
    finally:
        fileobj.seek(0)


def list_members(kind: str, fileobj: BinaryIO, limits: ArchiveLimits) -> Iterator[Member]:
    members = zip_members(fileobj, limits) if kind == "zip" else tar_members(fileobj, limits)
    seen: Counter[str] = Counter()
    for member in members:
        seen[member.name] += 1
        member.occurrence = seen[member.name]
        yield member


def archive_kind(file_type: str, fileobj: BinaryIO) -> str | None:
    """``zip`` / ``tar`` when the stream is an archive we can list, else None."""
    if file_type == "zip":
        return "zip"
    if file_type in ("tar", "gzip", "bzip2", "xz") and is_tar(fileobj):
        return "tar"
    return None


def in_memory(data: bytes) -> BinaryIO:
    return io.BytesIO(data)

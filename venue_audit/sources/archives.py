"""Archives (zip, tar, tar.gz, 7z): members become items dispatched to readers again.

Members are read into memory one at a time, never extracted to disk, with
the same bomb and traversal guards as acquisition. AES-encrypted zips open
with pyzipper when the examiner gives a password.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from venue_audit.acquire import archives as listing
from venue_audit.acquire.filetype import detect_type
from venue_audit.acquire.items import MEMBER_SEPARATOR
from venue_audit.sources.base import (
    EmbeddedFile,
    Item,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    Yield,
)
from venue_audit.sources.registry import register

_MAX_IN_MEMORY = 512 << 20


def member_item(
    parent: Item, name: str, data: bytes, mtime: str | None, label: str | None = None
) -> Item:
    """``label`` (the name made unique in its archive) completes the locator; ``name`` is the real one."""
    return Item(
        locator=f"{parent.locator}{MEMBER_SEPARATOR}{label or name}",
        name=name.rsplit("/", 1)[-1],
        type=detect_type(data[:512], name),
        size=len(data),
        read=lambda: data,
        open=lambda: io.BytesIO(data),
        mtime=mtime,
        evidence_id=parent.evidence_id,
        depth=parent.depth + 1,
    )


def too_deep(item: Item, context: ScanContext) -> Problem | None:
    """Archives inside archives are opened only so deep: gzip-of-gzip chains can be thousands long."""
    if item.depth < context.limits.max_depth:
        return None
    return Problem(
        item.locator, f"archive nested deeper than {context.limits.max_depth} levels: not opened"
    )


@register
class ArchiveReader(SourceReader):
    NAME = "archive"
    DESCRIPTION = "zip / tar / tar.gz archives (members scanned in memory, never extracted)"

    def claims(self, item: Item, head: bytes) -> bool:
        if item.type == "zip":
            return True
        if item.type in ("tar", "gzip", "bzip2", "xz"):
            with item.open() as stream:
                return listing.is_tar(stream if stream.seekable() else io.BytesIO(item.read()))
        return False

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        limits = context.limits
        if (deep := too_deep(item, context)) is not None:
            yield deep
            return
        kind = "zip" if item.type == "zip" else "tar"
        passwords = tuple(getattr(context, "zip_passwords", ()) or ())
        yield StoreFound("archive", details={"format": kind})
        total = 0
        try:
            with item.open() as stream:
                for member in listing.list_members(kind, stream, limits):
                    locator = f"{item.locator}{MEMBER_SEPARATOR}{member.label}"
                    if member.encrypted and passwords:
                        member.open, member.problem = _decrypting_opener(
                            item, member.name, passwords
                        )
                    if member.note:
                        yield Problem(locator, member.note)
                    if member.problem or member.open is None:
                        yield Problem(locator, member.problem or "member has no readable content")
                        continue
                    if member.size > _MAX_IN_MEMORY:
                        yield Problem(
                            locator,
                            f"member of {member.size} bytes is larger than the in-memory limit: not scanned",
                        )
                        continue
                    total += member.size
                    if total > limits.max_total_bytes:
                        yield Problem(
                            locator,
                            "archive exceeds the total size limit: the rest was not scanned",
                        )
                        return
                    try:
                        with member.open() as member_stream:
                            data = member_stream.read(member.size + 1)
                    except Exception as error:  # bad CRC, truncated deflate stream
                        yield Problem(
                            locator, f"member could not be read: {type(error).__name__}: {error}"
                        )
                        continue
                    if len(data) > member.size:
                        yield Problem(
                            locator,
                            "member inflates past its declared size (suspected bomb): not scanned",
                        )
                        continue
                    yield EmbeddedFile(
                        member_item(item, member.name, data, member.mtime, member.label)
                    )
        except Exception as error:  # a corrupt archive must not end the scan
            yield Problem(
                item.locator,
                f"archive could not be read past this point: {type(error).__name__}: {error}",
            )


def _decrypting_opener(item: Item, name: str, passwords: tuple[str, ...]) -> tuple[Any, str | None]:
    """An opener for an encrypted zip member (ZipCrypto or AES) with the first password that works.

    pyzipper reads both encryptions; the member is still read in memory only.
    """
    import pyzipper

    data = item.read()
    for password in passwords:
        try:
            with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
                archive.setpassword(password.encode("utf-8"))
                archive.read(name)
        except (RuntimeError, ValueError, OSError, pyzipper.BadZipFile, KeyError):
            continue

        def opener(secret: bytes = password.encode("utf-8")) -> Any:
            archive = pyzipper.AESZipFile(io.BytesIO(data))
            archive.setpassword(secret)
            return archive.open(name)

        return opener, None
    return None, f"encrypted member: none of the {len(passwords)} password(s) given opens it"


@register
class SevenZipReader(SourceReader):
    NAME = "7z"
    DESCRIPTION = "7-Zip archives (py7zr, in memory)"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "7z"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        import py7zr

        if (deep := too_deep(item, context)) is not None:
            yield deep
            return
        # Every member is decompressed into memory at once, so the in-memory limit applies
        # to the whole archive: a 7z bomb of a few MB can declare tens of GB.
        limit = min(context.limits.max_total_bytes, _MAX_IN_MEMORY)
        try:
            with py7zr.SevenZipFile(item.open()) as archive:
                infos = [i for i in archive.list() if not i.is_directory]
                declared = sum(i.uncompressed for i in infos)
                if declared > limit:
                    yield Problem(
                        item.locator,
                        f"7z archive declares {declared} bytes, over the in-memory limit of {limit}: not scanned",
                    )
                    return
                yield StoreFound("archive", details={"format": "7z"})
                if archive.needs_password():
                    yield Problem(
                        item.locator,
                        "encrypted 7z archive and no password given: contents not read",
                    )
                    return
                contents = _read_7z_members(archive, limit)
        except Exception as error:  # py7zr raises many kinds on corrupt input
            yield Problem(
                item.locator, f"7z archive could not be read: {type(error).__name__}: {error}"
            )
            return
        for name, data in sorted(contents.items()):
            yield EmbeddedFile(member_item(item, name, data, None))


def _read_7z_members(archive: Any, limit: int) -> dict[str, bytes]:
    """Every member's bytes, decompressed into memory (py7zr 1.x writer factory; readall before)."""
    try:
        from py7zr.io import BytesIOFactory
    except ImportError:  # py7zr < 1.0
        return {name: stream.read() for name, stream in (archive.readall() or {}).items()}
    factory = BytesIOFactory(limit + 1)
    archive.max_extract_size = limit  # stops a header that under-declares (a bomb) mid-inflate
    archive.extractall(factory=factory)
    out = {}
    for name, stream in factory.products.items():
        stream.seek(0)
        out[name] = stream.read()
    return out

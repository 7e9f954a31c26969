"""Pictures and videos: handed to the face engine as they are."""

from __future__ import annotations

from collections.abc import Iterator

from venue_audit.sources.base import (
    ImageFound,
    Item,
    Problem,
    ScanContext,
    SourceReader,
    VideoFound,
    Yield,
)
from venue_audit.sources.registry import register

IMAGE_TYPES = frozenset({"jpeg", "png", "gif", "bmp", "tiff", "webp"})
VIDEO_TYPES = frozenset({"mp4", "avi", "matroska"})
# A picture is decoded in memory; no camera writes one this large (a 100-megapixel
# uncompressed TIFF is 300 MB). Videos are decoded from a private copy, frame by frame.
MAX_PICTURE_BYTES = 256 << 20
MAX_VIDEO_BYTES = 4 << 30


def too_large(item: Item, limit: int, what: str) -> str:
    """The located reason for a file not analysed for its size; its hash is in the manifest."""
    hashed = (
        "its hashes are in the manifest"
        if item.depth == 0 and item.evidence_id is not None
        else "listed, not read"
    )
    return f"{what} of {item.size} bytes, too large to analyse (limit {limit}): {hashed}"


@register
class ImageReader(SourceReader):
    NAME = "image"
    DESCRIPTION = "picture files (JPEG, PNG, WebP, BMP, GIF, TIFF) by their magic bytes"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type in IMAGE_TYPES

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        if item.size > MAX_PICTURE_BYTES:
            yield Problem(item.locator, too_large(item, MAX_PICTURE_BYTES, "picture"))
            return
        inside_archive = item.depth > 0 and item.mtime
        yield ImageFound(
            item.locator,
            item.read(),
            captured_at=item.mtime if inside_archive else None,
            captured_at_source="archive_member_date" if inside_archive else None,
        )


@register
class VideoReader(SourceReader):
    NAME = "video"
    DESCRIPTION = "video files (MP4, AVI, MKV): frames sampled by the face engine"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type in VIDEO_TYPES

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        if item.size > MAX_VIDEO_BYTES:
            yield Problem(item.locator, too_large(item, MAX_VIDEO_BYTES, "video"))
            return
        yield VideoFound(item)

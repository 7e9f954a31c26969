"""Pictures and videos: handed to the face engine as they are."""

from __future__ import annotations

from collections.abc import Iterator

from venue_audit.sources.base import ImageFound, Item, ScanContext, SourceReader, VideoFound, Yield
from venue_audit.sources.registry import register

IMAGE_TYPES = frozenset({"jpeg", "png", "gif", "bmp", "tiff", "webp"})
VIDEO_TYPES = frozenset({"mp4", "avi", "matroska"})


@register
class ImageReader(SourceReader):
    NAME = "image"
    DESCRIPTION = "picture files (JPEG, PNG, WebP, BMP, GIF, TIFF) by their magic bytes"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type in IMAGE_TYPES

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
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
        yield VideoFound(item)

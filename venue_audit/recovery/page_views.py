"""Page images and database states assembled from the db file, WAL frames and journal pages.

Every page image keeps the file and byte offset it came from, so anything recovered from it
can be located in the evidence. A ``PageView`` is one consistent database state (e.g. the
file as it is, or the file with committed WAL frames laid over it, as SQLite would read it).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class PageImage:
    number: int
    data: bytes
    file: str
    file_offset: int
    source: str  # "db", "wal" or "journal"
    label: str  # human description of the version, e.g. "wal frame 12"


class PageView:
    """One database state: page number -> image, plus the page count of that state."""

    def __init__(self, images: dict[int, PageImage], page_count: int, usable: int, label: str):
        self.images = images
        self.page_count = page_count
        self.usable = usable
        self.label = label

    def get(self, number: int) -> PageImage | None:
        if number < 1 or number > self.page_count:
            return None
        return self.images.get(number)

    def overlay(self, images: list[PageImage], label: str, page_count: int | None = None) -> PageView:
        merged = dict(self.images)
        for image in images:
            merged[image.number] = image
        return PageView(merged, page_count or self.page_count, self.usable, label)


def db_file_images(data: bytes, page_size: int, name: str) -> dict[int, PageImage]:
    images: dict[int, PageImage] = {}
    for i in range(len(data) // page_size):
        off = i * page_size
        images[i + 1] = PageImage(i + 1, data[off : off + page_size], name, off, "db", "db file")
    return images


class WalSnapshotView(PageView):
    """The database as of one WAL frame: each page is the latest frame at or before ``upto``,
    else the db-file page. Resolved per page on demand, so a WAL of thousands of frames does not
    cost a full page map per frame."""

    def __init__(
        self,
        base: PageView,
        frames_by_page: dict[int, list[tuple[int, PageImage]]],
        upto: int,
        page_count: int,
    ):
        super().__init__(base.images, page_count, base.usable, f"state at wal frame {upto}")
        self.frames_by_page = frames_by_page
        self.upto = upto

    def get(self, number: int) -> PageImage | None:
        if number < 1 or number > self.page_count:
            return None
        frames = self.frames_by_page.get(number)
        if frames:
            i = bisect.bisect_right([index for index, _ in frames], self.upto)
            if i:
                return frames[i - 1][1]
        return self.images.get(number)

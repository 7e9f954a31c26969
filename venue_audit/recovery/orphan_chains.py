"""Overflow chains whose cell is gone: rebuild them from free pages and carve what they hold.

A deleted row's leaf cell can be overwritten (SQLite rebalances pages during DELETE) while its
overflow pages sit untouched on the freelist. Large values end in overflow pages, so the tail of
a face crop and, most often, the template column (the last bytes of the record) survive there.
Free pages are linked by their first four bytes; chains are rebuilt from pages nothing else
points to, their payload bytes concatenated, and carved. What is carved is a lower-confidence
find: which row it belonged to is unknown.
"""

from __future__ import annotations

import struct

from venue_audit.recovery.carving import CarvedItem, carve
from venue_audit.recovery.page_views import PageView


def rebuild_chains(view: PageView, free_pages: set[int]) -> list[list[int]]:
    """Chains of free pages linked by next-page pointers, each from a page nothing points to."""
    links: dict[int, int] = {}
    for pgno in free_pages:
        image = view.get(pgno)
        if image is None or len(image.data) < 4:
            continue
        nxt = struct.unpack(">I", image.data[:4])[0]
        if nxt in free_pages and nxt != pgno:
            links[pgno] = nxt
    pointed = set(links.values())
    chains: list[list[int]] = []
    seen: set[int] = set()
    for head in sorted(free_pages - pointed) + sorted(pointed):
        if head in seen:
            continue
        chain = []
        page: int | None = head
        while page is not None and page not in seen:
            seen.add(page)
            chain.append(page)
            page = links.get(page)
        chains.append(chain)
    return chains


def carve_chains(
    view: PageView, chains: list[list[int]], known_blobs: set[bytes]
) -> list[CarvedItem]:
    """Carve images and templates from each chain's concatenated payload bytes.

    Items equal to a blob already known (a live value or a recovered record's) are dropped;
    offsets are mapped back to the file offset of the item's first byte.
    """
    usable = view.usable
    chunk = usable - 4
    items: list[CarvedItem] = []
    for chain in chains:
        images = [view.get(p) for p in chain]
        if any(img is None for img in images):
            continue
        data = b"".join(img.data[4:usable] for img in images if img is not None)
        if not any(data):
            continue
        for item in carve(data, name=""):
            if item.data in known_blobs:
                continue
            first = item.offset // chunk
            last = (item.end - 1) // chunk
            image = images[first]
            assert image is not None
            item.source = image.file
            item.pages = chain[first : last + 1]
            item.offset = image.file_offset + 4 + item.offset % chunk
            item.detail = f"{item.detail}; overflow chain pages {item.pages}"
            items.append(item)
    return items

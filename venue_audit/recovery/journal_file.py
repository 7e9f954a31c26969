"""Rollback-journal parsing: the original images of pages a transaction changed.

A hot journal (crash mid-transaction) has its header; a journal left by
``journal_mode=PERSIST`` has its first 28 header bytes zeroed after commit but keeps the page
records, so when the magic is missing the page size comes from the database and the header
(sector) size is found by trying the sizes SQLite uses. Records are checked with SQLite's
journal checksum (nonce + every 200th byte); with a zeroed header the nonce is derived from the
first record, so stale records of older transactions (another nonce) are not mistaken for it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


@dataclass(frozen=True)
class JournalPage:
    page_number: int
    file_offset: int
    data: bytes


@dataclass
class RollbackJournal:
    page_size: int = 0
    header_intact: bool = False
    pages: list[JournalPage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _page_sum(page: bytes) -> int:
    """SQLite's journal checksum without the nonce: every 200th byte from the end."""
    total = 0
    i = len(page) - 200
    while i > 0:
        total += page[i]
        i -= 200
    return total


def _read_records(
    data: bytes, start: int, page_size: int, max_page: int, limit: int, nonce: int | None
) -> list[JournalPage]:
    """Read page records until one is implausible or its checksum disagrees with the nonce
    (from the header, or, when the header is zeroed, derived from the first record)."""
    pages: list[JournalPage] = []
    rec = 4 + page_size + 4
    off = start
    while off + rec <= len(data) and len(pages) < limit:
        pgno = struct.unpack(">I", data[off : off + 4])[0]
        if pgno == 0 or pgno > max_page:
            break
        page = data[off + 4 : off + 4 + page_size]
        stored = struct.unpack(">I", data[off + 4 + page_size : off + rec])[0]
        if nonce is None:
            nonce = (stored - _page_sum(page)) & 0xFFFFFFFF
        elif (nonce + _page_sum(page)) & 0xFFFFFFFF != stored:
            break
        pages.append(JournalPage(pgno, off + 4, page))
        off += rec
    return pages


def parse_journal(
    data: bytes, db_page_size: int, db_page_count: int, name: str = "journal"
) -> RollbackJournal:
    journal = RollbackJournal()
    max_page = max(db_page_count, 1) * 4 + 1024  # the db may have shrunk since
    if len(data) < 28:
        journal.notes.append(f"{name}: {len(data)} bytes, too short for a journal")
        return journal
    limit = len(data) // 512 + 1
    if data[:8] == JOURNAL_MAGIC:
        nrec, nonce, _initial, sector, page_size = struct.unpack(">IIIII", data[8:28])
        journal.header_intact = True
        if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
            journal.notes.append(f"{name}: header page size {page_size} invalid; using the db's")
            page_size = db_page_size
        if sector < 512 or sector > 65536 or sector & (sector - 1):
            journal.notes.append(f"{name}: header sector size {sector} invalid; assuming 512")
            sector = 512
        journal.page_size = page_size
        journal.pages = _read_records(data, sector, page_size, max_page, limit, nonce)
        if nrec not in (0, 0xFFFFFFFF) and nrec < len(journal.pages):
            journal.notes.append(
                f"{name}: header counts {nrec} records; {len(journal.pages)} page images readable"
                " (the rest are stale images from earlier transactions)"
            )
    else:
        if db_page_size <= 0:
            journal.notes.append(f"{name}: no journal magic and no page size to try")
            return journal
        journal.page_size = db_page_size
        best: list[JournalPage] = []
        for sector in (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536):
            found = _read_records(data, sector, db_page_size, max_page, limit, None)
            if len(found) > len(best):
                best = found
        journal.pages = best
        journal.notes.append(
            f"{name}: header zeroed (journal_mode=PERSIST after commit or torn write); "
            f"{len(best)} page images read by probing sector sizes"
        )
    journal.notes.append(f"{name}: {len(journal.pages)} original page images")
    return journal

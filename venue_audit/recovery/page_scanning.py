"""Rebuilding records from the pages of one database file: what ``recover_sqlite`` runs per page.

``PageScanner`` finds candidate cells on a page image (free regions, pointer-array cells,
freelist trunks), then rebuilds each as a ``RecoveredRecord``: overflow chain followed in the
database state the page version belongs to, values decoded with the table layout, confidence
set by how the cell boundary was established (see ``sqlite_recovery``).
"""

from __future__ import annotations

import struct

from venue_audit.recovery.btree_walk import follow_overflow
from venue_audit.recovery.cell_candidates import CONFIDENCE, GENERIC_FACTOR, CellCandidate
from venue_audit.recovery.cell_matching import find_deleted_cells
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport
from venue_audit.recovery.page_views import PageImage, PageView
from venue_audit.recovery.sqlite_format import (
    INDEX_INTERIOR,
    INDEX_LEAF,
    TABLE_INTERIOR,
    TABLE_LEAF,
    FormatError,
    cell_pointers,
    decode_body,
    freeblocks,
    parse_btree_header,
    parse_record_header,
    read_varint,
    serial_type_size,
    text_is_clean,
)
from venue_audit.recovery.table_schema import TableSchema

PARSE_ERRORS = (FormatError, struct.error, IndexError, ValueError, OverflowError)


class Hazards:
    """What makes overflow bytes untrustworthy in one database state."""

    def __init__(self, overwritten: frozenset[int], trunks: dict[int, int] | None, claimed: set[int]):
        self.overwritten = overwritten
        self.trunks = trunks
        self.claimed = claimed


NO_HAZARDS = Hazards(frozenset(), None, set())


class PageScanner:
    def __init__(self, report: RecoveryReport, encoding: str, usable: int):
        self.report = report
        self.encoding = encoding
        self.usable = usable
        self.records: list[RecoveredRecord] = []
        self.pending: list[tuple[CellCandidate, PageImage, PageView, str, Hazards]] = []
        self.consumed: dict[str, set[int]] = {}  # view label -> overflow pages used by records

    # --- page level -------------------------------------------------------------------------

    def free_regions(self, image: PageImage) -> list[tuple[int, int, bool]]:
        hdr = parse_btree_header(image.data, image.number, self.usable)
        blocks, note = freeblocks(image.data, hdr, self.usable)
        if note:
            self.report.notes.append(f"{image.file} page {image.number} ({image.label}): {note}")
        regions = [(off, off + size, True) for off, size in blocks]
        gap_end = min(hdr.content_start, self.usable)
        if gap_end > hdr.pointer_array_end:
            regions.append((hdr.pointer_array_end, gap_end, False))
        for off, size in blocks:
            if size > 8 and not any(image.data[off + 4 : off + size]):
                self.report.secure_delete_traces += 1
        return regions

    def scan_page(
        self,
        image: PageImage,
        view: PageView,
        tables: list[TableSchema],
        origin: str | None,
        hazards: Hazards,
        with_cells: bool,
        interior_ok: bool = False,
        unlinked: bool = False,
    ) -> None:
        """Recover from one table-leaf page image: its free regions, and (``with_cells``) the
        cells its pointer array still lists. ``origin`` None means freeblock/unallocated.
        ``unlinked``: the page is neither in a b-tree nor on the freelist, so the cells its
        pointer array lists were never freed: they are live rows cut off from the tree."""
        offset = 100 if image.number == 1 else 0
        kinds = (TABLE_LEAF, TABLE_INTERIOR) if interior_ok else (TABLE_LEAF,)
        generic = not tables
        index_page = image.data[offset] in ((INDEX_LEAF, INDEX_INTERIOR) if interior_ok
                                            else (INDEX_LEAF,))
        # WITHOUT ROWID tables live in index b-trees, every other table in table b-trees
        tables = [t for t in tables if t.without_rowid == index_page]
        if index_page and not tables:
            return  # an ordinary index: its entries repeat table rows
        if not index_page and image.data[offset] not in kinds:
            return  # overflow or freelist-trunk image: no rows to find
        try:
            hdr = parse_btree_header(image.data, image.number, self.usable)
            regions = self.free_regions(image)
            cands = find_deleted_cells(image.data, regions, self.usable, view.page_count, tables,
                                       allow_generic=generic, encoding=self.encoding)
        except PARSE_ERRORS as exc:
            self.report.notes.append(f"{image.file} page {image.number} ({image.label}): {exc}")
            return
        if hdr.page_type in (TABLE_INTERIOR, INDEX_INTERIOR):
            for cand in cands:
                _keep_only_leading_values(cand, self.usable)
        region_of = {}
        for cand in cands:
            pos = cand.cell_start if cand.cell_start is not None else cand.payload_start
            region_of[id(cand)] = next(
                (fb for start, end, fb in regions if start <= pos < end), True
            )
        if with_cells and hdr.page_type in (TABLE_LEAF, INDEX_LEAF):
            for cell in cell_pointers(image.data, hdr, self.usable):
                cand = self.pointer_cell(image, cell, tables, view.page_count, index_page)
                if cand is not None:
                    cand.kind = "unlinked" if unlinked else "deleted"
                    cands.append(cand)
                    region_of[id(cand)] = None
        for cand in cands:
            kind = region_of.get(id(cand))
            where = origin or ("freeblock" if kind else "unallocated")
            self.pending.append((cand, image, view, where, hazards))

    def build_all(self, claimed: set[int]) -> None:
        """Rebuild every pending candidate; ``claimed`` collects the first overflow page of every
        candidate first, so that a guessed chain successor is never another row's chain."""
        for cand, image, _view, _where, _hazards in self.pending:
            first = cand.overflow_first(image.data, self.usable)
            if first is not None:
                claimed.add(first)
        for cand, image, view, where, hazards in self.pending:
            try:
                self.build(cand, image, view, where, hazards)
            except PARSE_ERRORS as exc:
                self.report.notes.append(
                    f"{image.file} page {image.number}: record at {cand.payload_start}: {exc}"
                )
        self.pending = []

    def scan_trunk(
        self, image: PageImage, view: PageView, tables: list[TableSchema], leaves: int,
        hazards: Hazards,
    ) -> None:
        """A freed table leaf that became a freelist trunk lost its header and first 8+4n bytes
        to the trunk list; its cells after that keep their headers."""
        start = min(8 + 4 * leaves, self.usable)
        try:
            cands = find_deleted_cells(image.data, [(start, self.usable, False)], self.usable,
                                       view.page_count, tables, allow_generic=not tables,
                                       encoding=self.encoding)
        except PARSE_ERRORS as exc:
            self.report.notes.append(f"{image.file} page {image.number} (freelist trunk): {exc}")
            return
        for cand in cands:
            self.pending.append((cand, image, view, "freelist", hazards))

    def pointer_cell(
        self, image: PageImage, cell: int, tables: list[TableSchema], page_count: int,
        index_cell: bool = False,
    ) -> CellCandidate | None:
        """The cell at ``cell`` as a candidate: payload-length varint, rowid varint (not in
        index cells), record."""
        page = image.data
        rowid: int | None = None
        try:
            if cell < 8 or cell >= self.usable:
                raise FormatError(f"cell pointer {cell} beyond page end")
            _plen, n1 = read_varint(page, cell, self.usable)
            n2 = 0
            if not index_cell:
                rowid, n2 = read_varint(page, cell + n1, self.usable)
            start = cell + n1 + n2
            rec = parse_record_header(page, start, self.usable)
        except PARSE_ERRORS as exc:
            self.report.notes.append(f"{image.file} page {image.number}: cell at {cell}: {exc}")
            return None
        if rowid is not None and rowid >= 1 << 63:
            rowid -= 1 << 64
        usable_tables = [t for t in tables if t.columns and t.without_rowid == index_cell]
        table = next((t for t in usable_tables if t.fits(rec.serial_types)), None)
        if table is None and usable_tables:
            best = max(usable_tables, key=lambda t: t.fit_score(rec.serial_types))
            if best.fit_score(rec.serial_types) >= 0.99:
                table = best
        cand = CellCandidate(table, cell, start, rec.header_size, rec.serial_types, rowid,
                             "cell pointer")
        end = cand.local_end(self.usable)
        first = cand.overflow_first(page, self.usable) if end <= self.usable else None
        if end > self.usable or (first is not None and not 2 <= first < 1 << 31):
            self.report.notes.append(f"{image.file} page {image.number}: cell at {cell} malformed")
            return None
        return cand

    # --- record level -----------------------------------------------------------------------

    def build(
        self, cand: CellCandidate, image: PageImage, view: PageView, origin: str, hazards: Hazards
    ) -> None:
        page = image.data
        local = cand.local_size(self.usable)
        notes: list[str] = []
        local_end = cand.payload_start + local
        if cand.truncated_at is not None:
            local_end = min(local_end, cand.truncated_at)
            notes.append(f"cell tail from offset {cand.truncated_at} overwritten by live data")
        payload = page[cand.payload_start : local_end]
        complete = cand.truncated_at is None
        first = cand.overflow_first(page, self.usable)
        gaps: list[tuple[int, int]] = []
        if first is not None:
            read = follow_overflow(
                view, first, cand.payload_size - local, hazards.overwritten, hazards.trunks,
                hazards.claimed,
            )
            gaps = [(local + a, local + b) for a, b in read.gaps]
            self.consumed.setdefault(view.label, set()).update(read.pages)
            payload += read.data
            complete = read.complete and len(read.data) == cand.payload_size - local
            if read.note:
                notes.append(read.note)
        values, body_complete = decode_body(
            cand.serial_types, payload[cand.header_size :], self.encoding
        )
        complete = complete and body_complete
        for column in cand.lost_columns:
            values[column] = None
            complete = False
            name = cand.table.column_names[column] if cand.table else f"c{column}"
            notes.append(f"{name}: value lost with the cell header")
        if not complete:
            values = [_clean_prefix(v) if isinstance(v, str) else v for v in values]
        confidence = CONFIDENCE[cand.method]
        table = cand.table
        if table is None:
            confidence *= GENERIC_FACTOR
        body = payload[cand.header_size :]
        pos = 0
        for i, st in enumerate(cand.serial_types):
            size = (st - 13) // 2 if st >= 13 and st % 2 else 0
            if size and pos + size <= len(body) and not text_is_clean(body[pos : pos + size],
                                                                        self.encoding):
                if cand.method == "cell pointer":
                    confidence *= 0.7
                    notes.append("text value does not decode cleanly")
                else:
                    # a remnant whose later bytes were overwritten: keep what precedes
                    values = _cut_values(values, i)
                    complete = False
                    notes.append(f"overwritten from column {i} on; later values dropped")
                break
            pos += serial_type_size(st)
        if not complete:
            confidence *= 0.5
        if cand.method != "cell pointer" and not _informative(values, cand):
            self.report.notes.append(
                f"{image.file} page {image.number}: remnant at {cand.payload_start} keeps no "
                "informative value; not reported"
            )
            return
        rowid = cand.rowid
        alias = table.rowid_alias if table is not None else None
        if alias is not None and rowid is not None and alias < len(values):
            values[alias] = rowid
        columns = table.column_names[: len(values)] if table else [f"c{i}" for i in range(len(values))]
        while len(columns) < len(values):
            columns.append(f"c{len(columns)}")
        lost_bytes = _lost_in_columns(gaps, cand.header_size, cand.serial_types, columns)
        if table is not None and table.record_order is not None:
            values = table.declared_order(values)
            columns = table.declared_names
        start = cand.cell_start if cand.cell_start is not None else cand.payload_start
        record = RecoveredRecord(
            table=table.name if table else None,
            columns=columns,
            values=values,
            origin=origin,
            file=image.file,
            page=image.number,
            offset=image.file_offset + start,
            confidence=round(confidence, 3),
            rowid=rowid,
            complete=complete,
            method=cand.method,
            kind=cand.kind,
            deleted=cand.kind != "unlinked",
            notes=notes,
            lost_bytes=lost_bytes,
        )
        if image.label not in ("db file",):
            record.notes.append(f"page version: {image.label}")
        self.records.append(record)


def _informative(values: list, cand: CellCandidate) -> bool:
    """The surviving values say something: a text with 2+ letters or digits, 4+ bytes of blob,
    or two non-zero stored numbers (one small integer in a free-space remnant is too weak)."""
    alias = cand.table.rowid_alias if cand.table is not None else None
    numbers = 0
    for i, (v, st) in enumerate(zip(values, cand.serial_types, strict=False)):
        if i == alias or v is None:
            continue
        if isinstance(v, str) and sum(ch.isalnum() for ch in v) >= 2:
            return True
        if isinstance(v, bytes) and len(v) >= 4:
            return True
        if isinstance(v, int | float) and 1 <= st <= 7 and v != 0:
            numbers += 1
    return numbers >= 2


def _cut_values(values: list, first_bad: int) -> list:
    """The values before ``first_bad``, that column's clean text prefix, and None for every
    later column: past an overwrite point nothing is trusted (in UTF-16 almost any bytes
    decode to clean-looking text)."""
    bad = values[first_bad] if first_bad < len(values) else None
    kept = _clean_prefix(bad) if isinstance(bad, str) else None
    return [*values[:first_bad], kept, *[None] * (len(values) - first_bad - 1)]


def _clean_prefix(text: str) -> str:
    """A cut-off text value up to its first unprintable character (bytes past the overwrite
    point, or a multi-byte character split by the cut)."""
    for i, ch in enumerate(text):
        if (ch < " " and ch not in "\t\r\n") or ch == "\ufffd":
            return text[:i]
    return text


def _keep_only_leading_values(cand: CellCandidate, usable: int) -> None:
    """Cut a remnant on an interior page after its last whole non-blob value.

    Such remnants date from when the page was a leaf; interior cells written and freed there
    since can sit inside their bytes undetected. The leading values (ids, times, camera names)
    are the part worth trusting; blobs are dropped.
    """
    end = cand.truncated_at if cand.truncated_at is not None else cand.local_end(usable)
    pos = cand.payload_start + cand.header_size
    keep = pos
    for st in cand.serial_types:
        size = serial_type_size(st)
        if (st >= 12 and st % 2 == 0) or pos + size > end:
            break
        pos += size
        keep = pos
    if keep < cand.payload_start + cand.payload_size:
        cand.truncated_at = keep


def _lost_in_columns(
    gaps: list[tuple[int, int]], header_size: int, serial_types: tuple[int, ...], columns: list[str]
) -> list[tuple[str, int, int]]:
    """Map zero-filled payload byte ranges onto (column, start, end) within each value."""
    lost = []
    for gap_start, gap_end in gaps:
        pos = header_size
        for col, st in zip(columns, serial_types, strict=False):
            size = serial_type_size(st)
            lo, hi = max(gap_start, pos), min(gap_end, pos + size)
            if lo < hi:
                lost.append((col, lo - pos, hi - pos))
            pos += size
    return lost

"""recover_sqlite: deleted rows from a SQLite database file, its WAL and its rollback journal.

Where deleted rows survive, and what is examined for each:

* the current state (db file + committed WAL frames, as SQLite would read it):
  - free regions of live table-leaf pages (freeblocks: origin "freeblock"; the gap between the
    cell pointer array and the cell content area: "unallocated");
  - pages on the freelist or reachable from nothing, that still look like table leaves:
    their cells and free regions ("freelist");
* older page versions: db-file pages superseded by WAL frames, WAL frames that are not the
  current version (older commits, uncommitted writes, frames of an earlier WAL generation)
  ("wal"), and original page images in a rollback journal ("journal").

Every candidate is rebuilt with the table's column layout, its overflow chain followed in the
database state the page version belongs to, then dropped if the same row is live, and merged
with other finds of the same row (the highest-confidence location wins; the others are listed).

Confidence model: the base value comes from how the cell boundary was established
(``cell_matching.CONFIDENCE``: 0.95 cell still in a pointer array, 0.9 intact cell header, 0.85 /
0.75 header lost but start known, 0.6 header found by scanning), times 0.7 when the record fits
no known table, times 0.5 when bytes of the row are missing (overflow page reused, chain broken,
cell tail overwritten; ``complete`` is then False). A remnant whose text stops decoding cleanly is
cut there (the rest was overwritten); a cell still listed in a pointer array keeps its values and
gets times 0.7 instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from venue_audit.recovery.btree_walk import LiveState, follow_overflow, read_live_state
from venue_audit.recovery.carving import decode_check, image_kind
from venue_audit.recovery.cell_matching import (
    CONFIDENCE,
    GENERIC_FACTOR,
    CellCandidate,
    find_deleted_cells,
)
from venue_audit.recovery.journal_file import parse_journal
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport
from venue_audit.recovery.orphan_chains import carve_chains, rebuild_chains
from venue_audit.recovery.page_views import PageImage, PageView, db_file_images
from venue_audit.recovery.sqlite_format import (
    TABLE_INTERIOR,
    TABLE_LEAF,
    FormatError,
    cell_pointers,
    decode_body,
    freeblocks,
    parse_btree_header,
    parse_header,
    parse_record_header,
    read_varint,
    serial_type_size,
    text_is_clean,
)
from venue_audit.recovery.table_schema import TableSchema, parse_create_table
from venue_audit.recovery.template_vectors import blob_template_kind
from venue_audit.recovery.wal_file import parse_wal

PARSE_ERRORS = (FormatError, struct.error, IndexError, ValueError, OverflowError)


def _read_input(source: bytes | Path | str, default_name: str) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), default_name
    path = Path(source)
    return path.read_bytes(), path.name


class _Hazards:
    """What makes overflow bytes untrustworthy in one database state."""

    def __init__(self, overwritten: frozenset[int], trunks: dict[int, int] | None, claimed: set[int]):
        self.overwritten = overwritten
        self.trunks = trunks
        self.claimed = claimed


NO_HAZARDS = _Hazards(frozenset(), None, set())


class _Recovery:
    def __init__(self, report: RecoveryReport, encoding: str, usable: int):
        self.report = report
        self.encoding = encoding
        self.usable = usable
        self.records: list[RecoveredRecord] = []
        self.pending: list[tuple[CellCandidate, PageImage, PageView, str, _Hazards]] = []
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
        hazards: _Hazards,
        with_cells: bool,
        interior_ok: bool = False,
    ) -> None:
        """Recover from one table-leaf page image: its free regions, and (``with_cells``) the
        cells its pointer array still lists. ``origin`` None means freeblock/unallocated."""
        offset = 100 if image.number == 1 else 0
        kinds = (TABLE_LEAF, TABLE_INTERIOR) if interior_ok else (TABLE_LEAF,)
        if image.data[offset] not in kinds:
            return  # overflow, index or freelist-trunk image: no rows to find
        try:
            hdr = parse_btree_header(image.data, image.number, self.usable)
            regions = self.free_regions(image)
            cands = find_deleted_cells(image.data, regions, self.usable, view.page_count, tables,
                                       allow_generic=not tables)
        except PARSE_ERRORS as exc:
            self.report.notes.append(f"{image.file} page {image.number} ({image.label}): {exc}")
            return
        if hdr.page_type == TABLE_INTERIOR:
            for cand in cands:
                _keep_only_leading_values(cand, self.usable)
        region_of = {}
        for cand in cands:
            pos = cand.cell_start if cand.cell_start is not None else cand.payload_start
            region_of[id(cand)] = next(
                (fb for start, end, fb in regions if start <= pos < end), True
            )
        if with_cells and hdr.page_type == TABLE_LEAF:
            for cell in cell_pointers(image.data, hdr, self.usable):
                cand = self.pointer_cell(image, cell, tables, view.page_count)
                if cand is not None:
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
        hazards: _Hazards,
    ) -> None:
        """A freed table leaf that became a freelist trunk lost its header and first 8+4n bytes
        to the trunk list; its cells after that keep their headers."""
        start = min(8 + 4 * leaves, self.usable)
        try:
            cands = find_deleted_cells(image.data, [(start, self.usable, False)], self.usable,
                                       view.page_count, tables, allow_generic=not tables)
        except PARSE_ERRORS as exc:
            self.report.notes.append(f"{image.file} page {image.number} (freelist trunk): {exc}")
            return
        for cand in cands:
            self.pending.append((cand, image, view, "freelist", hazards))

    def pointer_cell(
        self, image: PageImage, cell: int, tables: list[TableSchema], page_count: int
    ) -> CellCandidate | None:
        page = image.data
        try:
            if cell < 8 or cell >= self.usable:
                raise FormatError(f"cell pointer {cell} beyond page end")
            _plen, n1 = read_varint(page, cell, self.usable)
            rowid, n2 = read_varint(page, cell + n1, self.usable)
            start = cell + n1 + n2
            rec = parse_record_header(page, start, self.usable)
        except PARSE_ERRORS as exc:
            self.report.notes.append(f"{image.file} page {image.number}: cell at {cell}: {exc}")
            return None
        if rowid >= 1 << 63:
            rowid -= 1 << 64
        usable_tables = [t for t in tables if t.columns and not t.without_rowid]
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
        self, cand: CellCandidate, image: PageImage, view: PageView, origin: str, hazards: _Hazards
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
        rowid = cand.rowid
        alias = table.rowid_alias if table is not None else None
        if alias is not None and rowid is not None and alias < len(values):
            values[alias] = rowid
        columns = table.column_names[: len(values)] if table else [f"c{i}" for i in range(len(values))]
        while len(columns) < len(values):
            columns.append(f"c{len(columns)}")
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
            notes=notes,
            lost_bytes=_lost_in_columns(gaps, cand.header_size, cand.serial_types, columns),
        )
        if image.label not in ("db file",):
            record.notes.append(f"page version: {image.label}")
        self.records.append(record)


def _cut_values(values: list, first_bad: int) -> list:
    """Values from ``first_bad`` on replaced by their surviving clean prefix (texts), empty
    bytes (blobs) or None (numbers)."""
    out = list(values[:first_bad])
    for v in values[first_bad:]:
        if isinstance(v, str):
            out.append(_clean_prefix(v))
        elif isinstance(v, bytes):
            out.append(b"")
        else:
            out.append(None)
    return out


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


def _classify_blobs(record: RecoveredRecord) -> None:
    for col, value in zip(record.columns, record.values, strict=False):
        if not isinstance(value, bytes) or not value:
            continue
        kind = image_kind(value)
        if kind:
            record.blob_kinds[col] = kind
            if decode_check(value) is None:
                record.notes.append(f"{col}: {kind} does not decode")
        elif blob_template_kind(value):
            record.blob_kinds[col] = "template"


def _comparable(values: list, alias: int | None) -> tuple:
    return tuple(None if i == alias else v for i, v in enumerate(values))


@dataclass
class _RowView:
    """The parts of a row that ``_same_row`` compares (live rows have no RecoveredRecord)."""

    values: list
    rowid: int | None
    complete: bool


def _same_row(
    a: RecoveredRecord | _RowView, b: RecoveredRecord | _RowView, alias: int | None
) -> tuple[bool, bool]:
    """Whether two finds are copies of one row, and whether their blob bytes agree.

    Copies may differ: a truncated copy holds a prefix of a text or blob, and a page version
    that was partly rewritten keeps the row's start but not its tail. They are the same row when
    no non-blob value conflicts and either two distinctive non-blob values are equal, or all
    blobs agree and some value is equal.
    """
    if a.rowid is not None and b.rowid is not None and a.rowid != b.rowid:
        return False, False
    distinctive = equal = 0
    bytes_agree = True
    for i, (x, y) in enumerate(zip(a.values, b.values, strict=False)):
        if i == alias or x is None or y is None:
            continue
        if isinstance(x, bytes) or isinstance(y, bytes):
            if not (isinstance(x, bytes) and isinstance(y, bytes)):
                return False, False
            if x.startswith(y) or y.startswith(x):
                equal += 1
            else:
                bytes_agree = False
            continue
        if x == y:
            equal += 1
            distinctive += len(str(x)) >= 4
        elif isinstance(x, str) and isinstance(y, str) and (
            (not a.complete and y.startswith(x.rstrip("\ufffd")))
            or (not b.complete and x.startswith(y.rstrip("\ufffd")))
        ):
            continue
        else:
            return False, False
    same = distinctive >= 2 or (bytes_agree and equal >= 1)
    return same, bytes_agree


def _filter_and_merge(
    records: list[RecoveredRecord], live: LiveState, report: RecoveryReport
) -> list[RecoveredRecord]:
    aliases = {t.name: t.rowid_alias for t in live.tables}
    live_full: dict[tuple, set[int]] = {}
    live_by_value: dict[tuple, list[_RowView]] = {}
    live_rowids: dict[tuple[str, int], tuple] = {}
    for row in live.rows:
        alias = aliases.get(row.table)
        key = (row.table, _comparable(row.values, alias))
        live_full.setdefault(key, set()).add(row.rowid)
        view = _RowView(row.values, row.rowid, True)
        for i, v in enumerate(row.values):
            if i != alias and isinstance(v, str | int | float) and len(str(v)) >= 4:
                live_by_value.setdefault((row.table, i, v), []).append(view)
        live_rowids[(row.table, row.rowid)] = key
    kept: list[RecoveredRecord] = []
    dropped_live = 0
    for rec in records:
        alias = aliases.get(rec.table) if rec.table else None
        key = (rec.table, _comparable(rec.values, alias))
        if rec.complete and key in live_full and (rec.rowid is None or rec.rowid in live_full[key]):
            dropped_live += 1
            continue
        if not rec.complete:
            verdicts = [
                _same_row(rec, view, alias)
                for i, v in enumerate(rec.values)
                if i != alias and isinstance(v, str | int | float)
                for view in live_by_value.get((rec.table, i, v), [])
            ]
            if any(same and agree for same, agree in verdicts):
                dropped_live += 1
                continue
            if any(same for same, _agree in verdicts):
                rec.kind = "superseded"
                rec.notes.append("same row as a live one, with different blob bytes")
        if rec.rowid is not None and rec.table and (rec.table, rec.rowid) in live_rowids:
            rec.kind = "superseded"
        kept.append(rec)
    if dropped_live:
        report.notes.append(f"{dropped_live} found cells are rows still live; not reported")
    kept.sort(key=lambda r: (not r.complete, -r.confidence))
    merged: list[RecoveredRecord] = []
    by_table: dict[str | None, list[RecoveredRecord]] = {}
    for rec in kept:
        alias = aliases.get(rec.table) if rec.table else None
        group = by_table.setdefault(rec.table, [])
        twin = None
        for g in group[:5000]:
            same, bytes_agree = _same_row(rec, g, alias)
            if same:
                twin = g
                break
        if twin is None:
            group.append(rec)
            merged.append(rec)
            continue
        if not bytes_agree:
            twin.notes.append(f"another copy at {rec.location} differs in its blob bytes")
        twin.also_found_at.append(f"{rec.location} confidence {rec.confidence}")
        if twin.rowid is None and rec.rowid is not None:
            twin.rowid = rec.rowid
            if alias is not None and alias < len(twin.values):
                twin.values[alias] = rec.rowid
    merged.sort(key=lambda r: (r.table or "", r.file, r.page, r.offset))
    return merged


def _carve_orphan_chains(
    report: RecoveryReport,
    current: PageView,
    live: LiveState,
    consumed: set[int],
    records: list[RecoveredRecord],
) -> None:
    free: set[int] = set()
    for pgno in range(2, current.page_count + 1):
        if pgno in live.used_pages or pgno in live.freelist_trunks or pgno in consumed:
            continue
        image = current.get(pgno)
        if image is None or not any(image.data):
            continue
        try:
            parse_btree_header(image.data, pgno, current.usable)
            continue  # a (freed) b-tree page, not an overflow page
        except FormatError:
            free.add(pgno)
    if not free:
        return
    known = {v for row in live.rows for v in row.values if isinstance(v, bytes)}
    known |= {v for r in records for v in r.values if isinstance(v, bytes)}
    chains = rebuild_chains(current, free)
    report.carved = carve_chains(current, chains, known)
    report.notes.append(
        f"{len(free)} free pages not explained by recovered rows, in {len(chains)} overflow "
        f"chains: {len(report.carved)} images/templates carved from them"
    )


def recover_sqlite(
    db: bytes | Path | str,
    wal: bytes | Path | str | None = None,
    journal: bytes | Path | str | None = None,
    name: str = "",
) -> RecoveryReport:
    """Recover deleted rows; never raises on malformed input (problems become report notes).

    Paths are only read; nothing is created next to the evidence.
    """
    db_bytes, db_name = _read_input(db, name or "db")
    db_name = name or db_name
    wal_data = None if wal is None else _read_input(wal, f"{db_name}-wal")
    journal_data = None if journal is None else _read_input(journal, f"{db_name}-journal")
    report = RecoveryReport(name=db_name)
    try:
        dropped = _recover(report, db_bytes, db_name, wal_data, journal_data, [])
        if dropped:
            # A second pass with the dropped tables' layouts, so their rows get names and the
            # header-less matching that needs a layout.
            report = RecoveryReport(name=db_name)
            _recover(report, db_bytes, db_name, wal_data, journal_data, dropped)
            report.notes.insert(0, "layouts of dropped tables recovered from deleted "
                                f"sqlite_master rows: {', '.join(t.name for t in dropped)}")
    except PARSE_ERRORS as exc:
        report.notes.append(f"recovery stopped: {type(exc).__name__}: {exc}")
    return report


def _recover(
    report: RecoveryReport,
    db_bytes: bytes,
    db_name: str,
    wal: tuple[bytes, str] | None,
    journal: tuple[bytes, str] | None,
    extra_tables: list[TableSchema],
) -> list[TableSchema]:
    """Fill ``report``; return layouts of dropped tables found in deleted sqlite_master rows
    that were not yet among ``extra_tables`` (the caller then runs again with them)."""
    try:
        header = parse_header(db_bytes)
    except FormatError as exc:
        report.notes.append(f"{db_name}: not a SQLite database: {exc}")
        return []
    usable = header.usable
    base_images = db_file_images(db_bytes, header.page_size, db_name)
    if len(db_bytes) % header.page_size:
        report.notes.append(f"{db_name}: file size is not a multiple of the page size (truncated?)")
    page_count = min(header.page_count, len(base_images)) or len(base_images)
    if header.page_count > len(base_images):
        report.notes.append(
            f"{db_name}: header says {header.page_count} pages, file holds {len(base_images)}"
        )
    base = PageView(base_images, page_count, usable, "db file")
    report.notes.append(
        f"{db_name}: page size {header.page_size}, {page_count} pages, "
        f"{header.freelist_count} freelist pages, auto_vacuum {'on' if header.auto_vacuum else 'off'}"
    )

    # --- WAL: current state = db file + committed frames --------------------------------------
    wal_images: list[tuple[PageImage, int]] = []  # (image, frame index)
    current = base
    frame_by_index: dict[int, PageImage] = {}
    if wal is not None:
        wal_bytes, wal_name = wal
        log = parse_wal(wal_bytes, wal_name)
        report.notes.extend(log.notes)
        if log.page_size and log.page_size != header.page_size:
            report.notes.append(f"{wal_name}: page size differs from the database; WAL ignored")
        elif log.page_size:
            for frame in log.frames:
                state = "committed" if frame.committed else (
                    "earlier generation" if not frame.salt_matches else "uncommitted/invalid")
                image = PageImage(frame.page_number, frame.data, wal_name, frame.file_offset,
                                  "wal", f"wal frame {frame.index} ({state})")
                wal_images.append((image, frame.index))
                frame_by_index[frame.index] = image
            committed = [
                frame_by_index[f.index] for f in log.frames
                if f.committed and f.page_number >= 1
            ]
            size = log.last_commit_size or page_count
            current = base.overlay(committed, "db + committed WAL", page_count=size)
            checkpointed = sum(
                1 for pg, img in current.images.items()
                if img.source == "wal" and pg in base_images and base_images[pg].data == img.data
            )
            latest = sum(1 for img in current.images.values() if img.source == "wal")
            report.notes.append(
                f"{wal_name}: {latest} pages current from the WAL, {checkpointed} of them already "
                f"identical in the db file (checkpointed), {latest - checkpointed} not checkpointed"
            )
    page1 = current.get(1)
    first_trunk = struct.unpack(">I", page1.data[32:36])[0] if page1 else 0
    live = read_live_state(current, header.encoding, first_trunk, "current")
    report.notes.extend(live.notes[:200])
    if len(live.notes) > 200:
        report.notes.append(f"... {len(live.notes) - 200} more structure notes")
    report.live_rows = len(live.rows)
    tables = [t for t in live.tables if t.columns]
    known_names = {t.name for t in tables}
    tables += [t for t in extra_tables if t.name not in known_names]
    if not tables:
        report.notes.append("no table layouts readable from sqlite_master; generic records only")
    by_name = {t.name: t for t in tables}
    rec = _Recovery(report, header.encoding, usable)

    claimed: set[int] = set()  # first overflow pages named by cells: never guessed successors
    hazards = _Hazards(frozenset(live.used_pages), live.freelist_trunks, claimed)

    # --- current state ----------------------------------------------------------------------
    zeroed_free = 0
    for pgno in range(2, current.page_count + 1) if current.page_count else []:
        image = current.get(pgno)
        if image is None:
            continue
        if pgno in live.leaf_owner:
            owner = by_name.get(live.leaf_owner[pgno])
            rec.scan_page(image, current, [owner] if owner else tables, None, hazards, False)
        elif pgno in live.interior_owner:
            owner = by_name.get(live.interior_owner[pgno])
            rec.scan_page(image, current, [owner] if owner else tables, None, hazards, False,
                          interior_ok=True)
        elif pgno in live.freelist_trunks:
            rec.scan_trunk(image, current, tables, live.freelist_trunks[pgno], hazards)
        elif pgno in live.used_pages:
            continue
        elif image.data[0] == TABLE_LEAF:
            rec.scan_page(image, current, tables, "freelist", hazards, True)
        elif not any(image.data):
            zeroed_free += 1
    if 1 in live.leaf_owner:
        master = by_name.get("sqlite_master")
        rec.scan_page(current.get(1), current, [master] if master else tables, None, hazards, False)
    if zeroed_free:
        report.secure_delete_traces += zeroed_free
        report.notes.append(f"{zeroed_free} free pages are all zero (secure_delete or never used)")

    # --- older page versions ------------------------------------------------------------------
    if wal_images:
        positions: dict[int, list[tuple[int, PageImage]]] = {}
        for image, index in wal_images:
            positions.setdefault(image.number, []).append((index, image))

        def snapshot(upto: int) -> PageView:
            overlay = [img for img, idx in wal_images if idx <= upto]
            return base.overlay(overlay, f"state at wal frame {upto}")

        superseded = [
            base_images[pg] for pg, img in current.images.items()
            if img.source == "wal" and pg in base_images and base_images[pg].data != img.data
        ]
        for image in superseded:
            img = PageImage(image.number, image.data, image.file, image.file_offset, "db",
                            "db file page superseded by the WAL")
            owner = by_name.get(live.leaf_owner.get(image.number, ""))
            order = [owner, *[t for t in tables if t is not owner]] if owner else tables
            rec.scan_page(img, base, order, "wal", NO_HAZARDS, True)
        snapshots: dict[int, PageView] = {}
        for image, index in wal_images:
            if current.images.get(image.number) is image:
                continue
            if index not in snapshots:
                snapshots[index] = snapshot(index)
            owner = by_name.get(live.leaf_owner.get(image.number, ""))
            order = [owner, *[t for t in tables if t is not owner]] if owner else tables
            rec.scan_page(image, snapshots[index], order, "wal", NO_HAZARDS, True)
            if len(snapshots) > 64:
                snapshots.clear()

    if journal is not None:
        j_bytes, j_name = journal
        parsed = parse_journal(j_bytes, header.page_size, page_count, j_name)
        report.notes.extend(parsed.notes)
        if parsed.page_size == header.page_size and parsed.pages:
            seen: set[int] = set()
            originals = []
            for jp in parsed.pages:
                if jp.page_number in seen:
                    continue
                seen.add(jp.page_number)
                originals.append(PageImage(jp.page_number, jp.data, j_name, jp.file_offset,
                                           "journal", "rollback journal original"))
            before = base.overlay(originals, "db before the journalled transaction",
                                  page_count=max(page_count, max(seen)))
            for image in originals:
                owner = by_name.get(live.leaf_owner.get(image.number, ""))
                order = [owner, *[t for t in tables if t is not owner]] if owner else tables
                rec.scan_page(image, before, order, "journal", NO_HAZARDS, True)

    rec.build_all(claimed)
    records = _filter_and_merge(rec.records, live, report)
    for record in records:
        _classify_blobs(record)
    report.records = records
    _carve_orphan_chains(report, current, live, rec.consumed.get(current.label, set()), records)
    report.notes.append(
        f"{len(rec.records)} cells found, {len(records)} reported "
        f"({sum(1 for r in records if r.kind == 'deleted')} deleted rows, "
        f"{sum(1 for r in records if r.kind == 'superseded')} superseded versions)"
    )
    if report.secure_delete_traces:
        report.notes.append(
            f"{report.secure_delete_traces} zeroed free regions/pages: deletion overwrote content "
            "(secure_delete=ON or VACUUM); absence of recovered rows there is not absence of deletion"
        )
    return _dropped_layouts(records, {t.name for t in tables})


def _dropped_layouts(records: list[RecoveredRecord], known: set[str]) -> list[TableSchema]:
    layouts = []
    for r in records:
        if r.table != "sqlite_master" or not r.complete or len(r.values) < 5:
            continue
        kind, name, _tbl, root, sql = r.values[:5]
        if kind == "table" and isinstance(name, str) and isinstance(sql, str) and name not in known:
            schema = parse_create_table(name, root if isinstance(root, int) else 0, sql)
            if schema.columns and not schema.without_rowid:
                layouts.append(schema)
                known.add(name)
    return layouts


def companion_files(db_path: Path) -> tuple[Path | None, Path | None]:
    """The -wal and -journal files SQLite keeps next to ``db_path`` (None when absent)."""
    wal = db_path.with_name(db_path.name + "-wal")
    journal = db_path.with_name(db_path.name + "-journal")
    return (wal if wal.is_file() else None, journal if journal.is_file() else None)


def recover_sqlite_file(db_path: Path, name: str = "") -> RecoveryReport:
    """``recover_sqlite`` on a database path together with its -wal and -journal companions,
    which acquisition must copy with it (a WAL left behind is where uncheckpointed deletes live).
    """
    wal, journal = companion_files(db_path)
    report = recover_sqlite(db_path, wal=wal, journal=journal, name=name)
    report.notes.insert(
        0, f"companions examined: {', '.join(p.name for p in (wal, journal) if p) or 'none found'}"
    )
    return report

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
from dataclasses import replace
from pathlib import Path

from venue_audit.recovery.btree_walk import LiveRow, LiveState, read_live_state
from venue_audit.recovery.carving import decode_check, image_kind
from venue_audit.recovery.journal_file import parse_journal
from venue_audit.recovery.models import RecoveredRecord, RecoveryReport
from venue_audit.recovery.orphan_chains import carve_chains, rebuild_chains
from venue_audit.recovery.page_scanning import NO_HAZARDS, PARSE_ERRORS, Hazards, PageScanner
from venue_audit.recovery.page_views import (
    PageImage,
    PageView,
    WalSnapshotView,
    db_file_images,
)
from venue_audit.recovery.record_merging import drop_live_and_merge
from venue_audit.recovery.sqlite_format import (
    INDEX_LEAF,
    TABLE_LEAF,
    FormatError,
    parse_btree_header,
    parse_header,
)
from venue_audit.recovery.table_schema import TableSchema, parse_create_table
from venue_audit.recovery.template_vectors import blob_template_kind
from venue_audit.recovery.wal_file import parse_wal


def _read_input(source: bytes | Path | str, default_name: str) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), default_name
    path = Path(source)
    return path.read_bytes(), path.name


def _owner_first(
    pgno: int, live: LiveState, by_name: dict[str, TableSchema], tables: list[TableSchema]
) -> list[TableSchema]:
    """All layouts, the table that owns this page number in the current state first (an old
    version of a page most likely held the same table's rows)."""
    owner = by_name.get(
        live.leaf_owner.get(pgno) or live.index_leaf_owner.get(pgno)
        or live.interior_owner.get(pgno) or ""
    )
    return [owner, *[t for t in tables if t is not owner]] if owner else tables


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
            committed = [
                image for (image, _index), frame in zip(wal_images, log.frames, strict=True)
                if frame.committed
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
    tables = [t.record_layout() for t in tables]  # columns as records store them
    live_values: dict[str, list[list]] = {}
    for row in live.rows:
        live_values.setdefault(row.table, []).append(row.values)
    for layout in tables:
        layout.learn_from_live(live_values.get(layout.name, []), header.encoding)
    if not tables:
        report.notes.append("no table layouts readable from sqlite_master; generic records only")
    by_name = {t.name: t for t in tables}
    rec = PageScanner(report, header.encoding, usable)

    claimed: set[int] = set()  # first overflow pages named by cells: never guessed successors
    hazards = Hazards(frozenset(live.used_pages), live.freelist_trunks, claimed)

    # --- current state ----------------------------------------------------------------------
    zeroed_free = 0
    for pgno in range(2, current.page_count + 1) if current.page_count else []:
        image = current.get(pgno)
        if image is None:
            continue
        owner_name = live.leaf_owner.get(pgno) or live.index_leaf_owner.get(pgno)
        if owner_name is not None:
            owner = by_name.get(owner_name)
            rec.scan_page(image, current, [owner] if owner else tables, None, hazards, False)
        elif pgno in live.interior_owner:
            owner = by_name.get(live.interior_owner[pgno])
            rec.scan_page(image, current, [owner] if owner else tables, None, hazards, False,
                          interior_ok=True)
        elif pgno in live.freelist_trunks:
            rec.scan_trunk(image, current, tables, live.freelist_trunks[pgno], hazards)
        elif pgno in live.used_pages:
            continue
        elif image.data[0] in (TABLE_LEAF, INDEX_LEAF):
            rec.scan_page(image, current, tables, "freelist", hazards, True,
                          unlinked=pgno not in live.freelist_leaves)
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
        frames_by_page: dict[int, list[tuple[int, PageImage]]] = {}
        for image, index in wal_images:
            frames_by_page.setdefault(image.number, []).append((index, image))
        wal_page_count = max(page_count, *frames_by_page)
        superseded = [
            base_images[pg] for pg, img in current.images.items()
            if img.source == "wal" and pg in base_images and base_images[pg].data != img.data
        ]
        for image in superseded:
            img = PageImage(image.number, image.data, image.file, image.file_offset, "db",
                            "db file page superseded by the WAL")
            rec.scan_page(img, base, _owner_first(image.number, live, by_name, tables), "wal",
                          NO_HAZARDS, True)
        for image, index in wal_images:
            if current.images.get(image.number) is image:
                continue
            snapshot = WalSnapshotView(base, frames_by_page, index, wal_page_count)
            rec.scan_page(image, snapshot, _owner_first(image.number, live, by_name, tables),
                          "wal", NO_HAZARDS, True)

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
                rec.scan_page(image, before, _owner_first(image.number, live, by_name, tables),
                              "journal", NO_HAZARDS, True)

    rec.build_all(claimed)
    unlinked = drop_live_and_merge([r for r in rec.records if r.kind == "unlinked"], live, report)
    for record in unlinked:
        record.kind = "unlinked"
    if unlinked:
        report.notes.append(
            f"{len(unlinked)} live rows on pages that no b-tree and no freelist reaches "
            "(tampered or corrupt page pointers): an anomaly, not deleted rows"
        )
    report.unlinked = unlinked
    live_or_unlinked = replace(live, rows=live.rows + [
        LiveRow(r.table, r.rowid, r.values, r.page, r.offset)
        for r in unlinked if r.table is not None and r.rowid is not None
    ])
    records = drop_live_and_merge(
        [r for r in rec.records if r.kind != "unlinked"], live_or_unlinked, report
    )
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
            if schema.columns:
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

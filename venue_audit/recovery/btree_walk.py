"""Walking the live structure of one database state: schema, table rows, page ownership, freelist.

Recovery needs the live picture for three reasons: the schema (column layouts to match deleted
records against), which pages are in use (a deleted row's overflow page that is in use again has
been overwritten), and the live rows themselves (a "recovered" row that is still live is not a
deleted row). Every loop is bounded by a visited set and the page count, so cyclic or hostile
structures end in a note.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from venue_audit.recovery.page_views import PageView
from venue_audit.recovery.sqlite_format import (
    INDEX_INTERIOR,
    INDEX_LEAF,
    TABLE_INTERIOR,
    TABLE_LEAF,
    FormatError,
    decode_record,
    index_local_size,
    parse_btree_header,
    read_varint,
    table_leaf_local_size,
)
from venue_audit.recovery.table_schema import TableSchema, parse_create_table

MAX_DEPTH = 40
SQLITE_MASTER_SQL = (
    "CREATE TABLE sqlite_master (type TEXT, name TEXT, tbl_name TEXT, rootpage INT, sql TEXT)"
)


@dataclass
class OverflowRead:
    data: bytes
    complete: bool
    pages: list[int] = field(default_factory=list)
    guessed_pages: int = 0
    note: str = ""
    gaps: list[tuple[int, int]] = field(default_factory=list)  # zero-filled lost byte ranges


def follow_overflow(
    view: PageView,
    first: int,
    needed: int,
    overwritten: frozenset[int] = frozenset(),
    trunks: dict[int, int] | None = None,
    claimed: set[int] | None = None,
) -> OverflowRead:
    """Read ``needed`` bytes from the overflow chain starting at page ``first``.

    ``overwritten`` pages are in use by something else in this state, so their bytes are not the
    deleted row's. ``trunks`` maps freelist trunk pages to their leaf count: such a page lost its
    next-pointer and its first 8+4n bytes; the chain then continues, as a lower-confidence
    guess, at the next page number (SQLite allocates a growing file's overflow pages in order).
    """
    usable = view.usable
    chunk = usable - 4
    out = bytearray()
    pages: list[int] = []
    seen: set[int] = set()
    page = first
    guessed = 0
    gaps: list[tuple[int, int]] = []
    while len(out) < needed:
        if page in seen:
            return OverflowRead(bytes(out), False, pages, guessed, f"overflow chain loops at {page}")
        if page in overwritten:
            return OverflowRead(
                bytes(out), False, pages, guessed, f"overflow page {page} now in use by live data"
            )
        image = view.get(page)
        if image is None or len(image.data) < usable:
            return OverflowRead(bytes(out), False, pages, guessed, f"overflow page {page} missing")
        seen.add(page)
        pages.append(page)
        take = min(chunk, needed - len(out))
        if trunks is not None and page in trunks:
            lost = min(8 + 4 * trunks[page], usable)
            start = max(0, lost - 4)
            gaps.append((len(out), len(out) + min(start, take)))
            out += bytes(min(start, take))
            if take > start:
                out += image.data[4 + start : 4 + take]
            guessed += 1
            nxt = page + 1
            if claimed is not None and nxt in claimed:
                return OverflowRead(
                    bytes(out), False, pages, guessed,
                    f"overflow page {page} reused as freelist trunk", gaps,
                )
        else:
            out += image.data[4 : 4 + take]
            nxt = struct.unpack(">I", image.data[:4])[0]
        if len(out) >= needed:
            break
        if nxt == 0:
            return OverflowRead(bytes(out), False, pages, guessed, f"overflow chain ends early at {page}")
        page = nxt
    complete = guessed == 0
    note = "" if complete else "bytes lost where an overflow page became a freelist trunk"
    return OverflowRead(bytes(out), complete, pages, guessed, note, gaps)


@dataclass
class LiveRow:
    table: str
    rowid: int | None  # None for WITHOUT ROWID tables
    values: list
    page: int
    offset: int


@dataclass
class LiveState:
    """What is in use in one database state."""

    tables: list[TableSchema] = field(default_factory=list)
    rows: list[LiveRow] = field(default_factory=list)
    used_pages: set[int] = field(default_factory=set)
    leaf_owner: dict[int, str] = field(default_factory=dict)  # table-leaf page -> table name
    # index-leaf page of a WITHOUT ROWID table -> table name
    index_leaf_owner: dict[int, str] = field(default_factory=dict)
    # interior table page -> table name (a leaf before the table grew: old cells may remain)
    interior_owner: dict[int, str] = field(default_factory=dict)
    freelist_trunks: dict[int, int] = field(default_factory=dict)  # trunk page -> leaf count
    freelist_leaves: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


@dataclass
class TableCell:
    page: int
    offset: int
    rowid: int
    payload: bytes
    complete: bool
    overflow_pages: list[int]


def iter_table_cells(
    view: PageView, root: int, used: set[int], notes: list[str], label: str
) -> Iterator[TableCell]:
    """Yield every cell of the table b-tree rooted at ``root``; pages visited go into ``used``."""
    usable = view.usable
    stack: list[tuple[int, int]] = [(root, 0)]
    visited: set[int] = set()
    while stack:
        pgno, depth = stack.pop()
        if pgno in visited:
            notes.append(f"{label}: page {pgno} reached twice (cyclic b-tree); skipped")
            continue
        if depth > MAX_DEPTH:
            notes.append(f"{label}: b-tree deeper than {MAX_DEPTH} at page {pgno}; stopped")
            continue
        visited.add(pgno)
        image = view.get(pgno)
        if image is None:
            notes.append(f"{label}: page {pgno} is beyond the database end")
            continue
        page = image.data
        try:
            hdr = parse_btree_header(page, pgno, usable)
        except FormatError as exc:
            notes.append(f"{label}: {exc}")
            continue
        used.add(pgno)
        if hdr.page_type == TABLE_INTERIOR:
            children = []
            for i in range(hdr.cell_count):
                ptr_at = hdr.pointer_array_start + 2 * i
                cell = struct.unpack(">H", page[ptr_at : ptr_at + 2])[0]
                if cell + 4 > usable:
                    notes.append(f"{label}: page {pgno}: cell pointer {cell} beyond page end")
                    continue
                children.append(struct.unpack(">I", page[cell : cell + 4])[0])
            children.append(hdr.right_child or 0)
            stack.extend((c, depth + 1) for c in reversed(children) if c)
            continue
        if hdr.page_type != TABLE_LEAF:
            notes.append(f"{label}: page {pgno} has type {hdr.page_type:#04x} inside a table b-tree")
            continue
        for i in range(hdr.cell_count):
            ptr_at = hdr.pointer_array_start + 2 * i
            cell = struct.unpack(">H", page[ptr_at : ptr_at + 2])[0]
            try:
                yield read_table_leaf_cell(view, image.data, pgno, cell, used)
            except FormatError as exc:
                notes.append(f"{label}: page {pgno}: cell at {cell}: {exc}")


def read_table_leaf_cell(
    view: PageView, page: bytes, pgno: int, cell: int, used: set[int] | None = None
) -> TableCell:
    usable = view.usable
    if cell < 8 or cell >= usable:
        raise FormatError(f"cell pointer {cell} beyond page end")
    payload_len, n1 = read_varint(page, cell, usable)
    rowid, n2 = read_varint(page, cell + n1, usable)
    if rowid >= 1 << 63:
        rowid -= 1 << 64
    start = cell + n1 + n2
    local = table_leaf_local_size(payload_len, usable)
    if start + local > usable:
        raise FormatError(f"payload of {payload_len} bytes runs past the page end")
    payload = page[start : start + local]
    complete = True
    pages: list[int] = []
    if local < payload_len:
        if start + local + 4 > usable:
            raise FormatError("overflow pointer runs past the page end")
        first = struct.unpack(">I", page[start + local : start + local + 4])[0]
        read = follow_overflow(view, first, payload_len - local)
        payload += read.data
        complete = read.complete
        pages = read.pages
        if used is not None:
            used.update(read.pages)
    return TableCell(pgno, cell, rowid, payload, complete, pages)


@dataclass
class IndexCell:
    page: int
    offset: int
    payload: bytes
    complete: bool
    leaf: bool


def iter_index_cells(
    view: PageView, root: int, used: set[int], notes: list[str], label: str
) -> Iterator[IndexCell]:
    """Yield every cell of the index b-tree rooted at ``root`` (interior cells hold entries
    too); its pages and overflow pages go into ``used``."""
    usable = view.usable
    stack: list[tuple[int, int]] = [(root, 0)]
    visited: set[int] = set()
    while stack:
        pgno, depth = stack.pop()
        if pgno in visited or depth > MAX_DEPTH:
            notes.append(f"{label}: index page {pgno} cyclic or too deep; skipped")
            continue
        visited.add(pgno)
        image = view.get(pgno)
        if image is None:
            notes.append(f"{label}: index page {pgno} beyond the database end")
            continue
        page = image.data
        try:
            hdr = parse_btree_header(page, pgno, usable)
        except FormatError as exc:
            notes.append(f"{label}: {exc}")
            continue
        if hdr.page_type not in (INDEX_LEAF, INDEX_INTERIOR):
            notes.append(f"{label}: page {pgno} has type {hdr.page_type:#04x} inside an index")
            continue
        used.add(pgno)
        interior = hdr.page_type == INDEX_INTERIOR
        for i in range(hdr.cell_count):
            ptr_at = hdr.pointer_array_start + 2 * i
            cell = struct.unpack(">H", page[ptr_at : ptr_at + 2])[0]
            try:
                pos = cell
                if interior:
                    stack.append((struct.unpack(">I", page[pos : pos + 4])[0], depth + 1))
                    pos += 4
                payload_len, n = read_varint(page, pos, usable)
                pos += n
                local = index_local_size(payload_len, usable)
                if pos + local > usable:
                    raise FormatError(f"payload of {payload_len} bytes runs past the page end")
                payload = page[pos : pos + local]
                complete = True
                if local < payload_len:
                    if pos + local + 4 > usable:
                        raise FormatError("overflow pointer runs past the page end")
                    first = struct.unpack(">I", page[pos + local : pos + local + 4])[0]
                    read = follow_overflow(view, first, payload_len - local)
                    used.update(read.pages)
                    payload += read.data
                    complete = read.complete
                yield IndexCell(pgno, cell, payload, complete, not interior)
            except (FormatError, struct.error) as exc:
                notes.append(f"{label}: index page {pgno}: cell at {cell}: {exc}")
        if interior and hdr.right_child:
            stack.append((hdr.right_child, depth + 1))


def mark_index_pages(view: PageView, root: int, used: set[int], notes: list[str], label: str) -> None:
    """Mark the pages of an index b-tree (and its overflow pages) as in use."""
    for _cell in iter_index_cells(view, root, used, notes, label):
        pass


def read_schema(view: PageView, encoding: str, notes: list[str], label: str) -> list[tuple]:
    """Rows of sqlite_master as (type, name, tbl_name, rootpage, sql)."""
    rows = []
    used: set[int] = set()
    for cell in iter_table_cells(view, 1, used, notes, f"{label} sqlite_master"):
        try:
            _hdr, values, _complete = decode_record(cell.payload, encoding)
        except FormatError as exc:
            notes.append(f"{label}: sqlite_master row {cell.rowid}: {exc}")
            continue
        if len(values) >= 5:
            rows.append(tuple(values[:5]))
    return rows


def walk_freelist(view: PageView, first_trunk: int, state: LiveState, label: str) -> None:
    trunk = first_trunk
    seen: set[int] = set()
    while trunk:
        if trunk in seen:
            state.notes.append(f"{label}: freelist trunk chain loops at page {trunk}")
            return
        image = view.get(trunk)
        if image is None:
            state.notes.append(f"{label}: freelist trunk page {trunk} beyond the database end")
            return
        seen.add(trunk)
        nxt, count = struct.unpack(">II", image.data[:8])
        max_leaves = view.usable // 4 - 2
        if count > max_leaves:
            state.notes.append(f"{label}: freelist trunk {trunk} claims {count} leaves; capped")
            count = max_leaves
        state.freelist_trunks[trunk] = count
        for i in range(count):
            leaf = struct.unpack(">I", image.data[8 + 4 * i : 12 + 4 * i])[0]
            if 1 < leaf <= view.page_count:
                state.freelist_leaves.add(leaf)
        trunk = nxt


def read_live_state(view: PageView, encoding: str, first_trunk: int, label: str) -> LiveState:
    state = LiveState()
    used = state.used_pages
    master_rows = read_schema(view, encoding, state.notes, label)
    master = parse_create_table("sqlite_master", 1, SQLITE_MASTER_SQL)
    state.tables.append(master)
    for cell in iter_table_cells(view, 1, used, [], label):
        state.leaf_owner[cell.page] = "sqlite_master"
        try:
            _hdr, values, _complete = decode_record(cell.payload, encoding)
        except FormatError:
            continue
        state.rows.append(LiveRow("sqlite_master", cell.rowid, values, cell.page, cell.offset))
    if 1 in used:
        state.leaf_owner.setdefault(1, "sqlite_master")
    for row in master_rows:
        kind, name, _tbl, root, sql = row
        if not isinstance(root, int) or root < 1 or root > view.page_count:
            continue
        if kind == "table" and isinstance(sql, str):
            schema = parse_create_table(str(name), root, sql)
            state.tables.append(schema)
            if schema.without_rowid:
                _read_without_rowid(view, schema, encoding, state, f"{label} {name}")
                continue
            before = set(used)
            for cell in iter_table_cells(view, root, used, state.notes, f"{label} {name}"):
                try:
                    _hdr, values, _complete = decode_record(cell.payload, encoding)
                except FormatError as exc:
                    state.notes.append(f"{label}: {name} row {cell.rowid}: {exc}")
                    continue
                if schema.rowid_alias is not None and schema.rowid_alias < len(values):
                    values[schema.rowid_alias] = cell.rowid
                state.rows.append(LiveRow(str(name), cell.rowid, values, cell.page, cell.offset))
                state.leaf_owner[cell.page] = str(name)
            for pgno in used - before:
                image = view.get(pgno)
                kind_byte = image.data[100 if pgno == 1 else 0] if image is not None else 0
                if kind_byte == TABLE_LEAF:
                    state.leaf_owner.setdefault(pgno, str(name))
                elif kind_byte == TABLE_INTERIOR:
                    state.interior_owner.setdefault(pgno, str(name))
        elif kind == "index" and root:
            mark_index_pages(view, root, used, state.notes, f"{label} {name}")
    walk_freelist(view, first_trunk, state, label)
    return state


def _read_without_rowid(
    view: PageView, schema: TableSchema, encoding: str, state: LiveState, label: str
) -> None:
    """Rows of a WITHOUT ROWID table: the entries of its index b-tree, leaf and interior."""
    layout = schema.record_layout()
    before = set(state.used_pages)
    for cell in iter_index_cells(view, schema.root_page, state.used_pages, state.notes, label):
        if cell.leaf:
            state.index_leaf_owner[cell.page] = schema.name
        try:
            _hdr, values, _complete = decode_record(cell.payload, encoding)
        except FormatError as exc:
            state.notes.append(f"{label}: entry at page {cell.page} offset {cell.offset}: {exc}")
            continue
        state.rows.append(
            LiveRow(schema.name, None, layout.declared_order(values), cell.page, cell.offset)
        )
    for pgno in state.used_pages - before:  # leaves left empty by deletes hold deleted rows
        image = view.get(pgno)
        kind_byte = image.data[100 if pgno == 1 else 0] if image is not None else 0
        if kind_byte == INDEX_LEAF:
            state.index_leaf_owner.setdefault(pgno, schema.name)
        elif kind_byte == INDEX_INTERIOR:  # a root that split keeps its leaf days' cells
            state.interior_owner.setdefault(pgno, schema.name)

"""Turn a table's rows into capture records, using the column classifier's verdict.

Classification looks at the first rows only; the rest stream through, so a
table of millions of rows never sits in memory.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from venue_audit.consent.capture_time import from_column
from venue_audit.scan.dispatch import StoreRef
from venue_audit.scan.drafts import ArtifactDraft, FaceDraft, RecordDraft
from venue_audit.sources import values
from venue_audit.sources.base import TableRows
from venue_audit.sources.classify import SAMPLE_ROWS, ColumnRoles, classify, stray_pictures
from venue_audit.sources.profiles.base import opaque_bytes
from venue_audit.sources.profiles.registry import cell_tables, explicit_roles


@dataclass
class TableVerdict:
    table: str
    rows: int
    roles: ColumnRoles
    columns: list[str]


def template_sha256(vector: np.ndarray) -> str:
    """Templates are compared as float32 little-endian bytes, whatever their stored encoding."""
    return hashlib.sha256(np.asarray(vector, dtype="<f4").tobytes()).hexdigest()


def records_from_table(
    table: TableRows,
    store: StoreRef,
    evidence_id: int | None,
    tz: str,
    verdict_out: list[TableVerdict],
) -> Iterator[RecordDraft]:
    """Records of one table; appends the table's classification to ``verdict_out`` first."""
    explicit = explicit_roles(store, table)
    if explicit is not None:
        table, known_roles, store.profile = explicit
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    roles = (
        known_roles
        if explicit is not None
        else classify(table.columns, [values_ for _, values_ in sample], table.table)
    )
    verdict = TableVerdict(table.table, 0, roles, table.columns)
    verdict_out.append(verdict)
    in_cells: list[TableVerdict] = []
    for row_locator, row in itertools.chain(sample, rows):
        verdict.rows += 1
        # A known product's table is mapped by its profile; others are searched cell by cell.
        strays = stray_pictures(row, roles) if explicit is None else []
        if roles.holds_faces or strays:
            record = _record(table, store, evidence_id, roles, row_locator, row, tz, strays)
            if record.artifacts:
                yield record
        for objects in cell_tables(table, row_locator, row):  # a push kept whole in a cell
            yield from records_from_table(objects, store, evidence_id, tz, in_cells)
    if in_cells:
        first = in_cells[0]
        verdict_out.append(
            TableVerdict(f"{table.table} (objects in cells)", 0, first.roles, first.columns)
        )


def _record(
    table: TableRows,
    store: StoreRef,
    evidence_id: int | None,
    roles: ColumnRoles,
    row_locator: str,
    row: list[Any],
    tz: str,
    strays: list[tuple[int, bytes]] | None = None,
) -> RecordDraft:
    base = f"{store.locator}, table {table.table}, {row_locator}"
    record = RecordDraft(key=base, store_locator=store.locator, evidence_id=evidence_id)
    deleted_at = _cell(row, roles.deleted)
    kept_after_deletion = deleted_at not in (None, "", b"")
    if kept_after_deletion:  # the product deleted the row but kept it (a soft delete)
        base += f", kept after deletion ({table.columns[roles.deleted]} {deleted_at})"
    camera = _cell(row, roles.camera)
    person = _cell(row, roles.person_key)
    captured = (
        from_column(_cell(row, roles.time), table.columns[roles.time], tz)
        if roles.time is not None
        else None
    )
    common = {
        "deleted": table.deleted or kept_after_deletion,
        "camera": None if camera in (None, "") else str(camera),
        "person_key": None if person in (None, "") else str(person),
        "person_key_kind": None if person in (None, "") else table.columns[roles.person_key],
        "captured_at": captured.at.isoformat() if captured else None,
        "captured_at_source": captured.source if captured else None,
        "captured_at_offset": captured.offset or None if captured else None,
    }
    pictures = [(i, "face_crop", values.image_bytes(_cell(row, i))) for i in roles.images]
    # A picture outside the picture columns: the engine decides whether it holds a face.
    pictures += [(i, "raw_frame", data) for i, data in strays or []]
    for index, kind, data in pictures:
        if data is None:
            continue
        column = table.columns[index] if index < len(table.columns) else f"{index + 1}"
        record.artifacts.append(
            ArtifactDraft(
                f"{base}, column {column}",
                kind,
                sha256=hashlib.sha256(data).hexdigest(),
                image=data,
                **common,
            )
        )
    for template in roles.templates:
        if template.opaque:
            blob = opaque_bytes(_cell(row, template.index))
            if blob:
                record.artifacts.append(
                    ArtifactDraft(
                        f"{base}, column {table.columns[template.index]}",
                        "template",
                        sha256=hashlib.sha256(blob).hexdigest(),
                        model_guess=template.model_guess,
                        **common,
                    )
                )
            continue
        vector = values.vector(_cell(row, template.index))
        if vector is None or vector.size != template.dim:
            continue
        record.artifacts.append(
            ArtifactDraft(
                f"{base}, column {table.columns[template.index]}",
                "template",
                sha256=template_sha256(vector),
                model_guess=template.model_guess,
                faces=[
                    FaceDraft(
                        vector.astype(np.float32), space=template.space or template.model_guess
                    )
                ],
                **common,
            )
        )
    return record


def _cell(row: list[Any], index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None

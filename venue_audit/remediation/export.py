"""The to-delete list as files a business works from: CSV, XLSX and one SQL script per database.

The CSV (UTF-8 with BOM, so Excel opens Chinese text correctly) and the XLSX hold one row per
item; the XLSX adds the SQL and the notes (how to make a deletion final, where copies were sent,
what could not be keyed) as sheets of their own. The SQL scripts are written beside them, one
per database, so a script can be fed to that database alone after review.

Every cell comes from evidence (file names, table names, keys), so a value that a spreadsheet
would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from venue_audit import __version__
from venue_audit.case.output_paths import FilesInFolder, Output
from venue_audit.errors import UsageError
from venue_audit.findings import load_citations
from venue_audit.remediation.statements import SQLITE, TableDeletion, finalising_commands, script
from venue_audit.remediation.to_delete import ToDeleteItem, ToDeleteList
from venue_audit.remediation.wording import (
    ACTION_LABELS,
    COLUMNS,
    REASON_LABELS,
    STATE_LABELS,
    text,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportedFiles:
    table: Path
    sql: list[Path] = field(default_factory=list)


def item_row(item: ToDeleteItem, lang: str = "zh") -> list[Any]:
    """One item as the list's columns (:data:`~venue_audit.remediation.wording.COLUMNS`)."""
    citations = load_citations()
    place = item.location

    def cite(codes: Iterable[str]) -> str:
        if lang == "en":
            return "; ".join(codes)
        return "；".join(citations[c].heading_zh if c in citations else c for c in codes)

    return [
        item.number,
        "、".join(REASON_LABELS[r][lang] for r in item.reasons) if lang == "zh"
        else "; ".join(REASON_LABELS[r][lang] for r in item.reasons),
        STATE_LABELS[item.state][lang],
        ACTION_LABELS[item.action][lang],
        place.file,
        place.member,
        place.table,
        ", ".join(place.key_columns),
        place.key_text.partition(" = ")[2] if place.key_columns else "",
        place.system,
        place.system_id,
        place.detail,
        ", ".join(str(p) for p in item.persons),
        ", ".join(item.person_keys),
        item.captured_at or "",
        ", ".join(item.kinds),
        " ".join(item.sha256),
        cite(item.basis),
        cite(item.later_guidance),
    ]


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would evaluate is prefixed with an apostrophe (OWASP's CSV advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header_lines(result: ToDeleteList, case_no: str, lang: str = "zh") -> list[str]:
    """What every SQL script and the notes sheet start with."""
    return [
        text("sql_title", lang, version=__version__),
        text("sql_case", lang, case_no=case_no, as_of=result.as_of or "-", digest=result.digest),
        text("sql_review", lang),
    ]


def write_csv(result: ToDeleteList, target: Path, lang: str = "zh") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column[lang] for column in COLUMNS])
        for item in result.items:
            writer.writerow([safe_cell(v) for v in item_row(item, lang)])
    return target


def write_xlsx(result: ToDeleteList, target: Path, case_no: str, lang: str = "zh") -> Path:
    """The list, its SQL and its notes as three sheets (text stays text, never a formula)."""
    from venue_audit.exports.xlsx import write_workbook

    target.parent.mkdir(parents=True, exist_ok=True)
    sql = script(result.deletions, header_lines(result, case_no, lang)).splitlines()
    return write_workbook(
        {
            text("sheet_items", lang): [
                [column[lang] for column in COLUMNS],
                *(item_row(item, lang) for item in result.items),
            ],
            "SQL": [[line] for line in sql],
            text("sheet_notes", lang): [[line] for line in notes_lines(result, lang)],
        },
        target,
    )


def notes_lines(result: ToDeleteList, lang: str = "zh") -> list[str]:
    """The notes that go with the list: finalising a deletion, copies sent away, open problems."""
    lines = [text("note_recoverable", lang)]
    dialects = sorted({d.dialect for d in result.deletions} | {SQLITE})
    for dialect in dialects:
        for command, why in finalising_commands(dialect, ["<table>"]):
            lines.append(f"{dialect}: {command}  -- {why}")
    if any(i.action == "finalise" for i in result.items):
        lines.append(text("note_finalise_items", lang))
    if any(i.action == "delete_member" for i in result.items):
        lines.append(text("note_members", lang))
    for remote in result.remotes:
        lines.append(text("note_remote", lang, remote=remote))
    lines += [text("note_problem", lang, problem=p) for p in result.problems]
    lines += result.notes
    lines.append(text("note_digest", lang, digest=result.digest))
    return lines


def write_sql(result: ToDeleteList, stem: Path, case_no: str, lang: str = "zh") -> list[Path]:
    """One script per database: ``<stem>-<database name>.sql``."""
    by_database: dict[str, list[TableDeletion]] = {}
    for deletion in result.deletions:
        by_database.setdefault(deletion.database, []).append(deletion)
    written = []
    for database, deletions in by_database.items():
        name = re.sub(r"[^\w.-]+", "_", Path(database.split(" (")[0]).name) or "database"
        target = stem.with_name(f"{stem.name}-{name}.sql")
        target.write_text(script(deletions, header_lines(result, case_no, lang)), encoding="utf-8")
        written.append(target)
    return written


def to_delete_outputs(label: str, target: Path) -> list[Output]:
    """The list and its SQL scripts, as the output-path check wants them (before any work)."""
    target = Path(target)
    scripts = FilesInFolder(
        f"the SQL scripts beside {label}", target.parent, (f"{target.stem}-*.sql",)
    )
    return [(label, target), scripts]


def export_to_delete(
    result: ToDeleteList, target: Path, case_no: str, lang: str = "zh"
) -> ExportedFiles:
    """Write the list as ``target`` (.csv or .xlsx) and its SQL scripts beside it."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        table = write_xlsx(result, target, case_no, lang)
    elif suffix == ".csv":
        table = write_csv(result, target, lang)
    else:
        raise UsageError(f"{target}: the to-delete list is written as .csv or .xlsx")
    return ExportedFiles(table, write_sql(result, target.with_suffix(""), case_no, lang))

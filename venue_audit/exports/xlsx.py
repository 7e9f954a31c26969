"""XLSX copies of the CSV annexes, for examiners who work in Excel or WPS.

Each workbook holds exactly the CSV's rows. Every cell is written as text, except plain
counts (an unsigned integer of up to nine digits without a leading zero), so an ID number, a
phone number or a hash never loses a digit or a leading zero. Text that starts with ``=``,
``+``, ``-`` or ``@`` (an evidence file named ``=HYPERLINK(...)``) stays text: openpyxl
would otherwise store it as a formula that Excel runs when the sheet opens.

The same CSV always gives the same bytes (the report's annexes are hashed and a rerun must
match): the workbook's created/modified stamps and the zip entries' times are fixed at
1980-01-01, the zip format's epoch. When the annex was made is in the custody log.
Characters a worksheet cannot hold (control characters, the undecodable bytes of a hostile
file name) are written as visible ``\\xNN`` / ``\\uNNNN`` escapes, never dropped.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

_COUNT = re.compile(r"(0|[1-9][0-9]{0,8})")
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")
FIXED_STAMP = b"1980-01-01T00:00:00Z"
# what XML 1.0 cannot hold: control characters, lone surrogates (undecodable file names)
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SHEET_TITLE_MAX = 31  # Excel's limit


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _cell(sheet, value: str) -> WriteOnlyCell:  # type: ignore[no-untyped-def]
    if _COUNT.fullmatch(value):
        return WriteOnlyCell(sheet, value=int(value))
    cell = WriteOnlyCell(sheet, value=_UNWRITABLE.sub(_escaped, value))
    cell.data_type = "s"  # text, even when it looks like a formula
    return cell


def csv_to_xlsx(source: Path, target: Path, title: str | None = None) -> Path:
    """Write ``target`` (.xlsx) with the rows of ``source`` (a UTF-8 CSV, BOM or not)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with Path(source).open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        return write_workbook({title or Path(source).stem: csv.reader(handle)}, target)


def write_workbook(sheets: dict[str, Iterable[Iterable[object]]], target: Path) -> Path:
    """Write ``target`` (.xlsx) with one sheet per entry, cells as :func:`csv_to_xlsx` writes
    them (values are taken as their text)."""
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=title[:SHEET_TITLE_MAX])
        for row in rows:
            sheet.append([_cell(sheet, "" if value is None else str(value)) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    _write_reproducibly(buffer, Path(target))
    return Path(target)


def _write_reproducibly(workbook: io.BytesIO, target: Path) -> None:
    with (
        zipfile.ZipFile(workbook) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + FIXED_STAMP, data)
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            copy.writestr(fixed, data)


def xlsx_beside(csv_files: list[Path]) -> dict[str, Path]:
    """An .xlsx beside each CSV; ``{xlsx name: path}``."""
    written = {}
    for source in csv_files:
        target = source.with_suffix(".xlsx")
        csv_to_xlsx(source, target)
        written[target.name] = target
    return written

"""The XLSX annexes are safe and reproducible copies of the CSVs (the timeline and CASE/UCO
exports are checked on the sample venue in test_demo_end_to_end.py)."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import openpyxl

from venue_audit.exports.xlsx import csv_to_xlsx


def _csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "annex.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _cells(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    rows = [["locator", "n"], ['=HYPERLINK("http://x","click")', "3"], ["+1-2", "007"]]
    target = csv_to_xlsx(_csv(tmp_path, rows), tmp_path / "annex.xlsx")
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert _cells(target) == [["locator", "n"], [rows[1][0], 3], ["+1-2", "007"]]


def test_long_numbers_keep_every_digit_as_text(tmp_path: Path) -> None:
    rows = [["id"], ["310101199001011234"], ["13800138000"], ["123456789"]]
    cells = _cells(csv_to_xlsx(_csv(tmp_path, rows), tmp_path / "a.xlsx"))
    assert cells == [["id"], ["310101199001011234"], ["13800138000"], [123456789]]


def test_characters_a_sheet_cannot_hold_are_escaped_not_dropped(tmp_path: Path) -> None:
    rows = [["locator"], ["evil\x1bname\x07.jpg"]]
    cells = _cells(csv_to_xlsx(_csv(tmp_path, rows), tmp_path / "a.xlsx"))
    assert cells == [["locator"], ["evil\\x1bname\\x07.jpg"]]


def test_the_same_csv_gives_the_same_bytes(tmp_path: Path) -> None:
    source = _csv(tmp_path, [["a", "b"], ["1", "x"]])
    first = csv_to_xlsx(source, tmp_path / "1.xlsx").read_bytes()
    time.sleep(1.1)  # a zip entry time has a two-second grain; the workbook stamps one second
    assert csv_to_xlsx(source, tmp_path / "2.xlsx").read_bytes() == first

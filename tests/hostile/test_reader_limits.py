"""The size guards the corpus cannot reach cheaply, tested with small limits.

A 2 GB SQL line, a 256 MB CSV field or JSON file would make the suite slow, so
each reader's limit is set small here and the input made just over it: the
guard is the same code whatever the number. (A million columns and JSON nested
100,000 deep are cheap, and run through the whole pipeline in the corpus.)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import py7zr
import pytest

from tests.sources.items import item_from_bytes, read_all
from venue_audit.scan.dispatch import walk
from venue_audit.sources import archives
from venue_audit.sources.archives import SevenZipReader
from venue_audit.sources.base import DefaultContext, Problem, TableRows
from venue_audit.sources.logs import FaceTransferLogReader
from venue_audit.sources.sqldump import SqlDumpReader
from venue_audit.sources.tabular import DelimitedTextReader, JsonLinesReader, JsonReader


def problems(found: list[Any]) -> list[tuple[str, str]]:
    return [(f.locator, f.reason) for f in found if isinstance(f, Problem)]


def rows(found: list[Any]) -> list[list[Any]]:
    return [values for f in found if isinstance(f, TableRows) for _, values in f.rows]


def test_a_sql_dump_line_over_the_limit_is_skipped_and_located_and_the_rest_is_read() -> None:
    dump = (
        b"CREATE TABLE t (id int, v text);\n"
        + b"INSERT INTO t VALUES (1,'"
        + b"a" * 100_000
        + b"');\n"
        + b"INSERT INTO t VALUES (2,'b');\n"
    )
    found = read_all(SqlDumpReader(line_limit=1024), item_from_bytes("dump.sql", dump))
    assert problems(found) == [("evidence/dump.sql line 2", "line longer than 1024 bytes, skipped")]
    assert rows(found) == [[2, "b"]]


def test_a_csv_field_over_the_limit_skips_only_its_row() -> None:
    data = b"id,visitor_id,v\n1,V1," + b"A" * 10_000 + b"\n2,V2,x\n"
    found = read_all(DelimitedTextReader(field_limit=1024), item_from_bytes("a.csv", data))
    [(locator, reason)] = problems(found)
    assert locator == "evidence/a.csv line 2" and "field limit" in reason
    assert rows(found) == [["2", "V2", "x"]]


def test_columns_over_the_limit_are_dropped_and_said_so() -> None:
    data = b",".join(b"c%d" % i for i in range(100)) + b"\n" + b"1," * 99 + b"1\n"
    found = read_all(DelimitedTextReader(max_columns=16), item_from_bytes("wide.csv", data))
    assert ("evidence/wide.csv line 1", "100 columns; only the first 16 were read") in problems(
        found
    )
    assert [len(r) for r in rows(found)] == [16]


def test_a_json_element_over_the_limit_is_skipped() -> None:
    data = b'[{"a": "' + b"x" * 5000 + b'"}, {"a": "y"}]'
    found = read_all(JsonReader(max_bytes=1024), item_from_bytes("c.json", data))
    [(locator, reason)] = problems(found)
    assert locator == "evidence/c.json" and "over 1024" in reason


def test_a_json_lines_line_over_the_limit_is_skipped_and_located() -> None:
    data = b'{"a": 1}\n{"a": "' + b"x" * 5000 + b'"}\n{"a": 2}\n'
    found = read_all(JsonLinesReader(line_limit=64), item_from_bytes("d.jsonl", data))
    assert problems(found) == [("evidence/d.jsonl line 2", "line longer than 64 bytes, skipped")]
    assert rows(found) == [[1], [2]]


def test_a_log_line_over_the_limit_is_skipped_and_the_events_around_it_are_kept() -> None:
    data = (
        b"2024-01-01 10:00:00 upload 3 face images to 1.2.3.4\n"
        + b"x" * 5000
        + b"\n2024-01-02 10:00:00 deleted 2 face images\n"
    )
    found = read_all(FaceTransferLogReader(line_limit=64), item_from_bytes("e.log", data))
    assert problems(found) == [("evidence/e.log line 2", "line longer than 64 bytes, skipped")]
    assert [f.locator for f in found if hasattr(f, "action")] == [
        "evidence/e.log line 1",
        "evidence/e.log line 3",
    ]


def test_a_7z_declaring_more_than_fits_in_memory_is_not_decompressed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 7z bomb (GBs of zeros in a few MB) is refused from its header, before any inflating."""
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        archive.writestr(bytes(3 << 20), "zeros.jpg")
    item = item_from_bytes("bomb.7z", out.getvalue())
    assert not problems(read_all(SevenZipReader(), item))
    monkeypatch.setattr(archives, "_MAX_IN_MEMORY", 1 << 20)
    [(locator, reason)] = problems(read_all(SevenZipReader(), item))
    assert locator == "evidence/bomb.7z" and "over the in-memory limit of 1048576" in reason


def test_a_7z_archive_is_read_member_by_member_in_memory(tmp_path: Path) -> None:
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        archive.writestr(b"id,visitor_id\n1,V1\n2,V2\n", "export/rows.csv")
        archive.writestr(b"\xff\xd8\xff\xe0" + bytes(64), "export/0001.jpg")
    by_type: dict[str, Any] = {}
    for _, found in walk(item_from_bytes("backup.7z", out.getvalue()), DefaultContext()):
        if isinstance(found, TableRows):
            found.rows = iter(list(found.rows))
        by_type[type(found).__name__] = found
    assert "Problem" not in by_type
    assert by_type["ImageFound"].locator == "evidence/backup.7z!/export/0001.jpg"
    assert [values for _, values in by_type["TableRows"].rows] == [["1", "V1"], ["2", "V2"]]
    assert list(tmp_path.iterdir()) == [] and not Path("export").exists()

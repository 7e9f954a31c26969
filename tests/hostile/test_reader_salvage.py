"""Readers go on past the bad part: compressed single files, mixed encodings, damaged JSON.

The hostile runs lost faces here without a word: ``.jpg.bz2`` / ``.jpg.xz`` /
``.jpg.zst`` were not read at all; trailing garbage after a good gzip member
discarded the member; the UTF-8 row of a GB18030 CSV was decoded as GB18030;
one 100,000-digit integer discarded a whole JSON file.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from typing import Any

import pytest
from backports import zstd

from tests.conftest import TEST_FACES
from tests.sources.items import item_from_bytes
from venue_audit.scan.dispatch import walk
from venue_audit.sources.base import DefaultContext, ImageFound, Problem, StoreFound, TableRows

FACE = (TEST_FACES / "obama" / "7_small.jpg").read_bytes()


def everything(name: str, data: bytes) -> list[Any]:
    out = []
    for _, found in walk(item_from_bytes(name, data), DefaultContext()):
        if isinstance(found, TableRows):
            found.rows = list(found.rows)  # type: ignore[assignment]
        out.append(found)
    return out


def pictures(found: list[Any]) -> list[tuple[str, bytes]]:
    return [(f.locator, f.data) for f in found if isinstance(f, ImageFound)]


def problems(found: list[Any]) -> list[tuple[str, str]]:
    return [(f.locator, f.reason) for f in found if isinstance(f, Problem)]


def rows(found: list[Any]) -> list[list[Any]]:
    return [values for f in found if isinstance(f, TableRows) for _, values in f.rows]


@pytest.mark.parametrize(
    "suffix, compress",
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress), (".zst", zstd.compress)],
)
def test_a_single_compressed_picture_is_found(suffix: str, compress: Any) -> None:
    found = everything(f"face.jpg{suffix}", compress(FACE))
    assert pictures(found) == [(f"evidence/face.jpg{suffix}!/face.jpg", FACE)]
    assert problems(found) == []


@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".zst", zstd.compress)])
def test_several_members_are_one_content(suffix: str, compress: Any) -> None:
    half = len(FACE) // 2
    found = everything(f"face.jpg{suffix}", compress(FACE[:half]) + compress(FACE[half:]))
    assert pictures(found) == [(f"evidence/face.jpg{suffix}!/face.jpg", FACE)]


def test_trailing_garbage_after_a_gzip_member_keeps_the_member_and_is_reported() -> None:
    found = everything("face.jpg.gz", gzip.compress(FACE) + b"\x00\x01junk appended" * 10)
    assert pictures(found) == [("evidence/face.jpg.gz!/face.jpg", FACE)]
    [(locator, reason)] = problems(found)
    assert locator == "evidence/face.jpg.gz" and "150 bytes after member 1" in reason


def test_a_truncated_xz_gives_what_inflated_before_the_cut() -> None:
    records = json.dumps([{"visitor_id": f"V{i}"} for i in range(5000)]).encode()
    packed = lzma.compress(records)
    found = everything("rows.json.xz", packed[: len(packed) * 3 // 4])
    [reason] = [r for where, r in problems(found) if where == "evidence/rows.json.xz"]
    assert "truncated" in reason
    read = rows(found)
    assert len(read) > 1000 and read[0] == ["V0"]


def test_a_csv_row_in_utf8_among_gb18030_rows_is_decoded_as_utf8() -> None:
    import base64

    photo = base64.b64encode(FACE).decode()
    data = (
        "访客编号,姓名,照片\n".encode("gb18030")
        + "V1,张三,\n".encode("gb18030")
        + f"V2,李四·新系统,{photo}\n".encode()
        + "V3,王五,\n".encode("gb18030")
    )
    found = everything("visitors.csv", data)
    assert [row[:2] for row in rows(found)] == [["V1", "张三"], ["V2", "李四·新系统"], ["V3", "王五"]]
    assert rows(found)[1][2] == photo
    assert problems(found) == []
    final = [f for f in found if isinstance(f, StoreFound)][-1]
    assert final.details["line_encodings"] == {"gb18030": 3, "utf-8": 1}


def test_a_line_in_no_usual_encoding_is_still_read_in_the_detected_one() -> None:
    data = "id,name\n1,张三\n".encode() + b"2,\xff\xfe\xfd\xfc\x80\x80\n"
    found = everything("odd.csv", data)
    assert rows(found)[0] == ["1", "张三"]
    assert [row[0] for row in rows(found)] == ["1", "2"]
    final = [f for f in found if isinstance(f, StoreFound)][-1]
    assert final.details["line_encodings"]["utf-8"] == 1 and len(final.details["line_encodings"]) == 2


def test_a_100000_digit_integer_does_not_discard_the_json_file() -> None:
    digits = "7" * 100_000
    document = '[{"visitor_id": ' + digits + ', "name": "A"}, {"visitor_id": 2, "name": "B"}]'
    found = everything("rows.json", document.encode())
    assert rows(found) == [[digits, "A"], [2, "B"]]
    whole = '{"visitors": [{"visitor_id": ' + digits + ', "name": "A"}]}'
    assert rows(everything("doc.json", whole.encode())) == [[digits, "A"]]


def test_a_damaged_json_object_gives_the_records_before_the_damage() -> None:
    records = ",".join(json.dumps({"visitor_id": f"V{i}", "n": i}) for i in range(50))
    text = '{"export": "faces", "visitors": [' + records + ', {"visitor_id": "V50", "n": '
    found = everything("cut.json", text.encode())
    assert len(rows(found)) == 50 and rows(found)[49] == ["V49", 49]
    [(locator, reason)] = problems(found)
    assert locator == "evidence/cut.json" and "50 record(s) of its first list read" in reason

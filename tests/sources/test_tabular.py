"""Tabular exports: every record becomes one row, values as written, hostile files as Problems."""

from __future__ import annotations

import base64
import csv
import io
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sources.items import head_of, item_from_bytes, of_type, read_all, tables
from venue_audit.sources.base import Problem, StoreFound, TableRows
from venue_audit.sources.tabular import (
    DelimitedTextReader,
    JsonLinesReader,
    JsonReader,
    XmlReader,
    bounded_lines,
    flatten,
    sniff_encoding,
)


def access_records(n: int = 50) -> list[dict[str, str]]:
    """An access-control export: people with base64 photos and opaque templates."""
    rng = random.Random(1)
    return [
        {
            "人员编号": f"P{i:05d}",
            "姓名": f"访客{i}",
            "photo": base64.b64encode(b"\xff\xd8\xff\xe0" + rng.randbytes(200)).decode(),
            "template": base64.b64encode(rng.randbytes(512)).decode(),
            "note": 'quoted, "comma"\nand newline' if i % 7 == 0 else "",
        }
        for i in range(n)
    ]


def csv_bytes(records: list[dict[str, str]], encoding: str, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize(
    "name, encoding, delimiter",
    [
        ("people.csv", "utf-8", ","),
        ("people.csv", "utf-8-sig", ","),
        ("people.csv", "gb18030", ","),
        ("people.csv", "utf-8", ";"),
        ("people.tsv", "utf-8", "\t"),
        ("people.csv", "utf-16", "\t"),
    ],
)
def test_csv_rows_equal_what_was_written(name: str, encoding: str, delimiter: str) -> None:
    records = access_records()
    item = item_from_bytes(name, csv_bytes(records, encoding, delimiter))
    reader = DelimitedTextReader()
    assert reader.claims(item, head_of(item))
    found = read_all(reader, item)
    assert of_type(found, Problem) == []
    [table] = of_type(found, TableRows)
    assert table.table == "people"
    assert table.columns == list(records[0])
    assert [values for _, values in table.rows] == [list(r.values()) for r in records]
    assert of_type(found, StoreFound)[0].details["delimiter"] == delimiter


def test_csv_row_locators_are_the_starting_line_of_each_record() -> None:
    records = access_records(8)
    found = read_all(DelimitedTextReader(), item_from_bytes("p.csv", csv_bytes(records, "utf-8")))
    locators = [loc for loc, _ in of_type(found, TableRows)[0].rows]
    assert locators == ["line 2", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10"]


def test_encoding_sniffing() -> None:
    assert sniff_encoding("姓名".encode("gb18030")) == "gb18030"
    assert sniff_encoding("\ufeff姓名".encode()) == "utf-8-sig"
    assert sniff_encoding("姓名".encode()[:-1]) == "utf-8", "a character cut by the sample end"


def test_nul_bytes_short_rows_and_huge_fields_are_tolerated() -> None:
    big = "A" * 300_000  # over the csv module's default field limit of 131072
    data = f"id,photo,extra\n1,ab\x00cd\n2,{big},x\n".encode()
    found = read_all(DelimitedTextReader(), item_from_bytes("n.csv", data))
    assert tables(found)["n"] == [["1", "ab\x00cd", None], ["2", big, "x"]]
    assert of_type(found, Problem) == []


def test_field_over_the_configured_limit_is_a_located_problem_and_reading_goes_on() -> None:
    limit_before = csv.field_size_limit()
    data = b"id,photo\n1,a\n2," + b"B" * 5000 + b"\n3,c\n"
    found = read_all(DelimitedTextReader(field_limit=1000), item_from_bytes("f.csv", data))
    assert tables(found)["f"] == [["1", "a"], ["3", "c"]]
    [problem] = of_type(found, Problem)
    assert problem.locator == "evidence/f.csv line 3"
    assert "field larger than field limit" in problem.reason
    assert csv.field_size_limit() == limit_before, "the process-wide limit is restored"


def test_a_million_columns_are_capped_and_reported() -> None:
    header = ",".join(f"c{i}" for i in range(1_000_000))
    row = ",".join("1" for _ in range(1_000_000))
    found = read_all(DelimitedTextReader(max_columns=4096),
                     item_from_bytes("wide.csv", f"{header}\n{row}\n{row}\n".encode()))
    [table] = of_type(found, TableRows)
    assert len(table.columns) == 4096
    assert [len(values) for _, values in table.rows] == [4096, 4096]
    reasons = [p.reason for p in of_type(found, Problem)]
    assert reasons == ["1000000 columns; only the first 4096 were read",
                       "2 rows had more than 4096 columns; the rest were dropped"]


def test_empty_csv_is_a_problem() -> None:
    found = read_all(DelimitedTextReader(), item_from_bytes("e.csv", b""))
    assert [p.reason for p in of_type(found, Problem)] == ["no header row: empty or unreadable file"]


# --- JSON ------------------------------------------------------------------------------------


def test_json_list_of_nested_objects_is_flattened_with_dotted_names() -> None:
    records = [
        {"id": i, "person": {"name": f"n{i}", "face": {"img": f"b64-{i}"}}, "feature": [0.5, i]}
        for i in range(5)
    ]
    item = item_from_bytes("faces.json", json.dumps(records).encode())
    assert JsonReader().claims(item, head_of(item))
    found = read_all(JsonReader(), item)
    [table] = of_type(found, TableRows)
    assert table.columns == ["id", "person.name", "person.face.img", "feature"]
    assert [v for _, v in table.rows] == [[i, f"n{i}", f"b64-{i}", [0.5, i]] for i in range(5)]
    assert table.rows[0][0] == "record 1"


def test_json_object_with_record_lists_under_keys_gives_a_table_per_list() -> None:
    document = {
        "code": 0,
        "data": {"total": 2, "list": [{"FPID": "1", "faceURL": "a"}, {"FPID": "2", "extra": True}]},
        "devices": [{"sn": "X1"}],
    }
    found = read_all(JsonReader(), item_from_bytes("api.json", json.dumps(document).encode()))
    got = tables(found)
    assert got == {"api.data.list": [["1", "a", None], ["2", None, True]], "api.devices": [["X1"]]}
    table = next(t for t in of_type(found, TableRows) if t.table == "api.data.list")
    assert [loc for loc, _ in table.rows] == ["data.list[0]", "data.list[1]"]


def test_single_json_object_is_one_row() -> None:
    found = read_all(JsonReader(), item_from_bytes("p.json", b'{"faceLibType":"blackFD","FPID":"7"}'))
    assert tables(found) == {"p": [["blackFD", "7"]]}


def test_json_nested_100000_deep_is_a_problem_not_a_crash() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    found = read_all(JsonReader(), item_from_bytes("deep.json", deep))
    assert "nested deeper" in of_type(found, Problem)[0].reason
    deep_object = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    found = read_all(JsonLinesReader(), item_from_bytes("deep.jsonl", deep_object + b"\n"))
    assert "nested deeper" in of_type(found, Problem)[0].reason


def test_objects_nested_past_the_flattening_cap_are_reported() -> None:
    record: dict = {"v": 1}
    for _ in range(100):
        record = {"k": record}
    flat, cut = flatten(record)
    assert cut and len(flat) == 1
    found = read_all(JsonReader(), item_from_bytes("d.json", json.dumps([record]).encode()))
    assert "nested deeper than 64" in of_type(found, Problem)[0].reason


def test_invalid_json_is_a_problem() -> None:
    found = read_all(JsonReader(), item_from_bytes("bad.json", b'[{"a": 1}, {"a": '))
    assert "not valid JSON" in of_type(found, Problem)[0].reason


def test_jsonl_reads_every_good_line_and_locates_bad_ones() -> None:
    lines = [json.dumps({"id": i, "img": f"x{i}"}) for i in range(10)]
    lines.insert(4, "{broken")
    lines.insert(7, "")
    data = ("\n".join(lines) + "\n").encode()
    item = item_from_bytes("events.jsonl", data)
    assert JsonLinesReader().claims(item, head_of(item))
    found = read_all(JsonLinesReader(), item)
    assert tables(found)["events"] == [[i, f"x{i}"] for i in range(10)]
    assert [p.locator for p in of_type(found, Problem)] == ["evidence/events.jsonl line 5"]


# --- XML -------------------------------------------------------------------------------------


def test_xml_repeated_elements_are_records_with_attributes_and_children() -> None:
    people = "".join(
        f'<Person id="{i}"><Name>访客{i}</Name><Face type="jpg"><Data>b64-{i}</Data></Face></Person>'
        for i in range(6)
    )
    data = f'<?xml version="1.0" encoding="UTF-8"?><Response><Count>6</Count><Persons>{people}</Persons></Response>'
    item = item_from_bytes("persons.xml", data.encode())
    assert XmlReader().claims(item, head_of(item))
    found = read_all(XmlReader(), item)
    assert of_type(found, StoreFound)[0].details["record"] == "Response/Persons/Person"
    [table] = of_type(found, TableRows)
    assert table.table == "Person"
    assert table.columns == ["id", "Name", "Face.type", "Face.Data"]
    assert [v for _, v in table.rows] == [[str(i), f"访客{i}", "jpg", f"b64-{i}"] for i in range(6)]


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<r><a>&lol2;</a><a>x</a></r>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r><a>&xxe;</a></r>',
    ],
)
def test_xml_with_dtd_or_entities_is_refused(data: bytes) -> None:
    found = read_all(XmlReader(), item_from_bytes("evil.xml", data))
    assert of_type(found, TableRows) == []
    assert "refused" in of_type(found, Problem)[0].reason


def test_truncated_xml_keeps_complete_records() -> None:
    data = b"<r>" + b"".join(b"<p><n>%d</n></p>" % i for i in range(5)) + b"<p><n>5"
    found = read_all(XmlReader(), item_from_bytes("t.xml", data))
    assert tables(found)["p"] == [[str(i)] for i in range(5)]
    assert of_type(found, Problem)[0].locator.startswith("evidence/t.xml line")


# --- streaming lines -------------------------------------------------------------------------


def test_bounded_lines_skips_over_long_lines_and_numbers_the_rest() -> None:
    data = b"a\n" + b"x" * 3_000_000 + b"\nb\r\nc"
    assert list(bounded_lines(io.BytesIO(data), 1000)) == [(1, b"a"), (2, None), (3, b"b\r"), (4, b"c")]


def test_xml_with_one_record_reads_the_root_as_that_record() -> None:
    data = b"<FaceDataRecord><FPID>7</FPID><name>Li</name><faceURL>http://x/7.jpg</faceURL></FaceDataRecord>"
    found = read_all(XmlReader(), item_from_bytes("one.xml", data))
    assert tables(found) == {"FaceDataRecord": [["7", "Li", "http://x/7.jpg"]]}


def test_large_json_arrays_are_streamed_element_by_element() -> None:
    rng = random.Random(3)
    records = [{"id": i, "photo": base64.b64encode(rng.randbytes(9000)).decode()} for i in range(400)]
    data = json.dumps(records, indent=1).encode()
    assert len(data) > 3 * (1 << 20), "crosses several read chunks"
    found = read_all(JsonReader(max_bytes=1 << 20), item_from_bytes("big.json", data))
    assert of_type(found, StoreFound)[0].details == {"streamed": True}
    assert tables(found)["big"] == [[r["id"], r["photo"]] for r in records]
    numbers = json.dumps(list(range(300_000))).encode()
    found = read_all(JsonReader(), item_from_bytes("n.json", numbers))
    assert [row[0] for row in tables(found)["n"]] == list(range(300_000))


def test_streamed_array_elements_over_the_limit_are_problems() -> None:
    data = json.dumps([{"a": 1}, {"b": "x" * 5000}, {"a": 3}]).encode()
    found = read_all(JsonReader(max_bytes=1000), item_from_bytes("l.json", data))
    assert tables(found)["l"] == [[1], [3]]
    assert "over 1000: skipped" in of_type(found, Problem)[0].reason
    endless = b'[{"a": 1}, {"b": "' + b"x" * 3_000_000
    found = read_all(JsonReader(max_bytes=1000), item_from_bytes("e.json", endless))
    assert tables(found)["e"] == [[1]]
    assert "over 1000 bytes; reading stopped" in of_type(found, Problem)[0].reason


def test_json_records_with_too_many_keys_are_capped() -> None:
    record = {f"k{i}": i for i in range(10_000)}
    found = read_all(JsonReader(), item_from_bytes("w.json", json.dumps([record]).encode()))
    [table] = of_type(found, TableRows)
    assert len(table.columns) == 4096 and table.rows[0][1] == list(range(4096))
    assert "10000 keys; only the first 4096" in of_type(found, Problem)[0].reason


@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="GB2312"?>', ""])
def test_gb2312_xml_is_re_encoded_for_the_parser(declaration: str) -> None:
    body = "<人员列表>" + "".join(f"<人员><姓名>张{i}</姓名></人员>" for i in range(3)) + "</人员列表>"
    found = read_all(XmlReader(), item_from_bytes("g.xml", (declaration + body).encode("gb2312")))
    assert tables(found) == {"人员": [["张0"], ["张1"], ["张2"]]}
    assert of_type(found, Problem) == []


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.tsv", "x.json", "x.jsonl", "x.xml"]))
def test_any_bytes_yield_only_rows_and_problems(data: bytes, name: str) -> None:
    item = item_from_bytes(name, data)
    reader = {"x.csv": DelimitedTextReader(), "x.tsv": DelimitedTextReader(), "x.json": JsonReader(),
              "x.jsonl": JsonLinesReader(), "x.xml": XmlReader()}[name]
    found = read_all(reader, item)
    assert all(isinstance(f, StoreFound | TableRows | Problem) for f in found)


def test_blank_lines_before_the_header_are_skipped() -> None:
    found = read_all(DelimitedTextReader(), item_from_bytes("b.csv", b"\r\n\r\nid,img\n1,x\n"))
    assert tables(found) == {"b": [["1", "x"]]}
    found = read_all(DelimitedTextReader(), item_from_bytes("c.csv", b"\r"))
    assert [p.reason for p in of_type(found, Problem)] == ["no header row: empty or unreadable file"]

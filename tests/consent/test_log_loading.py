"""Consent logs in awkward shapes: located problems, never a crash."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from venue_audit.consent import ConsentLogError, load_consent_log


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_every_bad_row_is_a_located_problem_and_good_rows_still_load(tmp_path: Path) -> None:
    path = write(tmp_path, "consent.csv", "\n".join([
        "访客编号,签署时间,撤回时间",
        "V1,2024-03-15 10:15:23,",
        "V2,15/03/2024,",
        ",2024-03-15,",
        "V4,,",
        "V5,2024-02-30,",
        "",
        "V6,2024年3月15日,",
    ]))
    log = load_consent_log(path)
    assert [r.keys.get("visitor_id") for r in log.records] == ["V1", "V2", None, "V4", "V5", "V6"]
    assert [str(p) for p in log.problems] == [
        "consent.csv row 3: unreadable signed time '15/03/2024'",
        "consent.csv row 4: no subject key (visitor id, phone, ID hash) and no enrolment face",
        "consent.csv row 5: no signed time",
        "consent.csv row 6: unreadable signed time '2024-02-30'",
    ]


def test_english_headers_with_qualifiers_and_tabs(tmp_path: Path) -> None:
    text = "Visitor ID\tSigned At (UTC+8)\tPurpose\nV1\t2024-03-15\tsecurity\n"
    path = write(tmp_path, "log.tsv", text)
    log = load_consent_log(path)
    assert log.fields == {"visitor_id": "Visitor ID", "signed_at": "Signed At (UTC+8)",
                          "purpose": "Purpose"}
    assert log.records[0].purposes == frozenset({"security"})


def test_times_with_offsets_keep_their_instant(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "visitor_id,signed_at\nV1,2024-03-15T02:15:23Z\n")
    signed = load_consent_log(path).records[0].signed_at
    assert signed is not None and signed.isoformat() == "2024-03-15T02:15:23+00:00"


def test_a_file_without_a_signed_time_column_is_not_a_consent_log(tmp_path: Path) -> None:
    with pytest.raises(ConsentLogError, match="signed-time"):
        load_consent_log(write(tmp_path, "people.csv", "name,phone\n张三,13800138000\n"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        ("broken.db", b"SQLite format 3\x00" + b"\xff" * 200),
        ("broken.json", b"{\"records\": [1, 2"),
        ("empty.csv", b""),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    ],
)
def test_corrupt_files_raise_a_typed_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConsentLogError):
        load_consent_log(path)


def test_json_records_that_are_not_objects_are_located(tmp_path: Path) -> None:
    document = [{"visitor_id": "V1", "signed_at": "2024-01-01"}, "junk", {"visitor_id": "V2"}]
    log = load_consent_log(write(tmp_path, "c.json", json.dumps(document)))
    assert len(log.records) == 2
    assert [str(p) for p in log.problems] == ["c.json record 2: not an object",
                                              "c.json record 3: no signed time"]


def test_sqlite_picks_the_consent_table_and_handles_without_rowid(tmp_path: Path) -> None:
    path = tmp_path / "vendor.db"
    connection = sqlite3.connect(path)
    connection.executescript("""
        CREATE TABLE device (sn TEXT PRIMARY KEY, name TEXT) WITHOUT ROWID;
        CREATE TABLE auth ("客户编号" TEXT PRIMARY KEY, "授权时间" TEXT, "用途" TEXT) WITHOUT ROWID;
        INSERT INTO auth VALUES ('C1', '2024-01-01 09:00', '安防'), ('C2', 'bad', '安防');
        INSERT INTO device VALUES ('X', 'cam');
    """)
    connection.close()
    log = load_consent_log(path)
    assert (log.format, log.table) == ("sqlite", "auth")
    assert [r.keys["visitor_id"] for r in log.records] == ["C1", "C2"]
    assert [str(p) for p in log.problems] == [
        "vendor.db table auth row 2: unreadable signed time 'bad'"
    ]


def test_sqlite_log_is_read_without_writing_or_leaving_side_files(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE consents (visitor_id TEXT, signed_at TEXT)")
    connection.execute("INSERT INTO consents VALUES ('V1', '2024-01-01')")
    connection.commit()
    connection.close()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    assert len(load_consent_log(path).records) == 1
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db"]


def test_undecodable_bytes_are_replaced_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"visitor_id,signed_at\nV1,2024-01-01\n\x81\xff\xfe,2024-01-01\n")
    log = load_consent_log(path)
    assert len(log.records) == 2
    assert "not UTF-8 or GB18030" in str(log.problems[0])


def test_a_withdrawal_column_of_yes_no_words(tmp_path: Path) -> None:
    text = "访客编号,签署时间,撤回时间\nV1,2024-01-01,否\nV2,2024-01-01,是\n"
    path = write(tmp_path, "c.csv", text)
    records = load_consent_log(path).records
    assert [(r.withdrawn, r.withdrawn_at) for r in records] == [(False, None), (True, None)]


def test_semicolons_inside_cells_do_not_fool_the_delimiter_choice(tmp_path: Path) -> None:
    rows = ["访客编号,签署时间,用途"] + [f"V{i},2024-01-01,安防;门禁;客流" for i in range(5)]
    log = load_consent_log(write(tmp_path, "c.csv", "\n".join(rows) + "\n"))
    assert len(log.records) == 5
    assert log.records[0].purposes == frozenset({"安防", "门禁", "客流"})


def test_hostile_json_nesting_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ConsentLogError):
        load_consent_log(write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000))


def test_a_zip_that_is_not_a_workbook_is_a_typed_error(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ConsentLogError):
        load_consent_log(path)


def test_photo_paths_that_escape_or_are_malformed_are_problems(tmp_path: Path) -> None:
    (tmp_path / "link.jpg").symlink_to("/etc/hostname")
    text = "签署时间,访客编号,照片\n2024-01-01,V1,link.jpg\n2024-01-01,V2,\"a\x00b.jpg\"\n"
    log = load_consent_log(write(tmp_path, "c.csv", text))
    assert [r.enrolment for r in log.records] == [None, None]
    assert [str(p)[:45] for p in log.problems] == [
        "c.csv row 2: enrolment photo unusable: photo ",
        "c.csv row 3: enrolment photo unusable: photo ",
    ]
    assert "outside the consent log's folder" in log.problems[0].message


def test_a_corrupt_page_keeps_the_rows_before_it(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA page_size = 1024")
    connection.execute("CREATE TABLE consents (visitor_id TEXT, signed_at TEXT, note TEXT)")
    connection.executemany(
        "INSERT INTO consents VALUES (?, '2024-01-01', ?)",
        [(f"V{i:04d}", "x" * 300) for i in range(200)],
    )
    connection.commit()
    connection.close()
    data = bytearray(path.read_bytes())
    pages = len(data) // 1024
    last_leaf = (pages - 1) * 1024
    data[last_leaf:last_leaf + 1024] = b"\xa5" * 1024
    path.write_bytes(bytes(data))

    log = load_consent_log(path)

    assert 0 < len(log.records) < 200
    assert [r.keys["visitor_id"] for r in log.records[:2]] == ["V0000", "V0001"]
    assert str(log.problems[-1]).startswith(
        f"c.db table consents: reading stopped after {len(log.records)} rows"
    )

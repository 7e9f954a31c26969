"""SQL dumps: every row of every table comes out with its bytes, vectors and locator intact."""

from __future__ import annotations

import base64
import bz2
import gzip
import json
import lzma
import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sources.items import head_of, item_from_bytes, item_from_path, of_type, read_all, tables
from venue_audit.sources.base import Problem, StoreFound, TableRows
from venue_audit.sources.sqldump import SqlDumpReader, parse_create_table, sniff_dialect


def mysql_quote(data: bytes) -> bytes:
    """What mysql_real_escape_string writes for raw bytes (mysqldump without --hex-blob)."""
    escapes = {0: b"\\0", 10: b"\\n", 13: b"\\r", 92: b"\\\\", 39: b"\\'", 34: b'\\"', 26: b"\\Z"}
    return b"'" + b"".join(escapes.get(byte, bytes([byte])) for byte in data) + b"'"


MYSQL_HEADER = b"""-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: access
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `face_record`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `face_record` (
  `id` int NOT NULL AUTO_INCREMENT,
  `visitor_id` varchar(32) COLLATE utf8mb4_bin DEFAULT NULL,
  `name` varchar(64) DEFAULT NULL,
  `photo` mediumblob,
  `feature` blob COMMENT 'template',
  `score` double DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_visitor` (`visitor_id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8mb4;
"""


def mysql_fixture(rows_per_insert: int = 7, statements: int = 5) -> tuple[bytes, list[list]]:
    """A mysqldump: hex photos, raw escaped templates, names needing every escape."""
    rng = random.Random(7)
    expected: list[list] = []
    lines = [MYSQL_HEADER, b"LOCK TABLES `face_record` WRITE;\n"]
    next_id = 1
    for _ in range(statements):
        tuples = []
        for _ in range(rows_per_insert):
            photo = b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(10, 300))
            feature = bytes(range(256)) + rng.randbytes(256)  # every byte value, incl. \0 ' " \\ ^Z
            name = f'访客{next_id} O\'Neil "x" \\ tab\there\nnewline 100%_'
            score = round(rng.random(), 6)
            expected.append([next_id, f"V{next_id:04d}", name, photo, feature, score])
            tuples.append(
                b"(%d,'V%04d',%s,0x%s,_binary %s,%r)"
                % (
                    next_id,
                    next_id,
                    mysql_quote(name.encode()),
                    photo.hex().upper().encode(),
                    mysql_quote(feature),
                    score,
                )
            )
            next_id += 1
        lines.append(b"INSERT INTO `face_record` VALUES " + b",".join(tuples) + b";\n")
    lines.append(b"UNLOCK TABLES;\n-- Dump completed on 2024-03-15  2:00:01\n")
    return b"".join(lines), expected


def test_mysqldump_extended_inserts_decode_every_value() -> None:
    dump, expected = mysql_fixture()
    found = read_all(SqlDumpReader(), item_from_bytes("access.sql", dump))

    first, last = of_type(found, StoreFound)
    assert first.kind == last.kind == "sql-dump"
    assert last is found[-1], "the final counts close the stream"
    assert last.details == {"dialect": "mysql", "tables": {"face_record": 35}}
    assert of_type(found, Problem) == []
    table = of_type(found, TableRows)
    assert len(table) == 1, "consecutive INSERTs into one table stream as one TableRows"
    assert table[0].columns == ["id", "visitor_id", "name", "photo", "feature", "score"]
    assert table[0].column_types[3:5] == ["mediumblob", "blob"]
    got = [values for _, values in table[0].rows]
    assert got == expected


def test_row_locators_name_the_line_and_the_row_in_the_extended_insert() -> None:
    dump, _ = mysql_fixture(rows_per_insert=3, statements=2)
    found = read_all(SqlDumpReader(), item_from_bytes("access.sql", dump))
    locators = [loc for loc, _ in of_type(found, TableRows)[0].rows]
    first_insert = (
        dump.split(b"\n").index(
            next(line for line in dump.split(b"\n") if line.startswith(b"INSERT"))
        )
        + 1
    )
    assert locators == [
        f"line {first_insert} row 1",
        f"line {first_insert} row 2",
        f"line {first_insert} row 3",
        f"line {first_insert + 1} row 1",
        f"line {first_insert + 1} row 2",
        f"line {first_insert + 1} row 3",
    ]


def test_plain_blob_string_without_binary_prefix_becomes_bytes_by_column_type() -> None:
    feature = bytes(range(256))
    dump = (
        b"CREATE TABLE t (id int, feature longblob, note text);\n"
        b"INSERT INTO t VALUES (1," + mysql_quote(feature) + b",'caf\xc3\xa9');\n"
    )
    rows = tables(read_all(SqlDumpReader(), item_from_bytes("t.sql", dump)))["t"]
    assert rows == [[1, feature, "café"]]


def test_mysql_escapes_and_literals() -> None:
    dump = (
        b"INSERT INTO `t` (`a`,`b`,`c`,`d`,`e`,`f`) VALUES "
        b"('\\0\\'\\\"\\b\\n\\r\\t\\Z\\\\\\%\\_\\q','it''s',X'cafe',0x,NULL,-12),"
        b"(\"dq \\\" '\",'',x'',_binary 0xABC,TRUE,3.5e-2);\n"
    )
    rows = tables(read_all(SqlDumpReader(), item_from_bytes("t.sql", dump)))["t"]
    assert rows == [
        ["\0'\"\b\n\r\t\x1a\\\\%\\_q", "it's", b"\xca\xfe", b"", None, -12],
        ["dq \" '", "", b"", b"\x0a\xbc", True, 0.035],
    ]


def test_statements_without_column_list_or_create_table_get_numbered_columns() -> None:
    dump = b"INSERT INTO faces VALUES (1,0x0102),(2,0x0304);\nINSERT INTO faces VALUES (3,NULL);\n"
    found = read_all(SqlDumpReader(), item_from_bytes("x.sql", dump))
    table = of_type(found, TableRows)
    assert [t.columns for t in table] == [["column_1", "column_2"]]
    assert [v for _, v in table[0].rows] == [[1, b"\x01\x02"], [2, b"\x03\x04"], [3, None]]


def test_tables_interleaved_with_other_tables_yield_one_tablerows_per_run() -> None:
    dump = (
        b"INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n"
        b"INSERT INTO b VALUES ('x');\nINSERT INTO a VALUES (3);\n"
    )
    found = read_all(SqlDumpReader(), item_from_bytes("x.sql", dump))
    assert [(t.table, len(t.rows)) for t in of_type(found, TableRows)] == [
        ("a", 2),
        ("b", 1),
        ("a", 1),
    ]
    assert of_type(found, StoreFound)[0].details["tables"] == {"a": 3, "b": 1}


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_float(value: float) -> str:
    return repr(value)


def compreface_fixture() -> tuple[str, dict]:
    """formats.md §10.1: a pg_dump of CompreFace with bytea photos and float8[] embeddings."""
    rng = random.Random(3)
    subjects = [f"5b1c0c7e-0000-4000-8000-00000000000{i}" for i in range(3)]
    images, embeddings = [], []
    for s, subject in enumerate(subjects):
        for e in range(2 + s):
            vector = [rng.uniform(-0.1, 0.1) for _ in range(512)]
            image_id = f"1a000000-0000-4000-8000-0000000{s}{e}000"
            photo = b"\xff\xd8\xff\xe0\x00\x10JFIF" + rng.randbytes(600)
            images.append((image_id, photo))
            embeddings.append((f"e{s}{e}", subject, vector, None if (s, e) == (0, 0) else image_id))
    lines = [
        "--\n-- PostgreSQL database dump\n--\n",
        "-- Dumped from database version 14.10\n",
        "SET statement_timeout = 0;\nSET standard_conforming_strings = on;\n",
        "SELECT pg_catalog.set_config('search_path', '', false);\n",
        "CREATE TABLE public.subject (\n    id uuid NOT NULL,\n    api_key character varying(36),\n"
        "    subject_name character varying(255)\n);\n",
        "CREATE TABLE public.img (\n    id uuid NOT NULL,\n    content bytea NOT NULL\n);\n",
        "CREATE TABLE public.embedding (\n    id uuid NOT NULL,\n    subject_id uuid NOT NULL,\n"
        "    embedding double precision[] NOT NULL,\n    calculator character varying(255) NOT NULL,\n"
        "    img_id uuid\n);\n",
        "COPY public.subject (id, api_key, subject_name) FROM stdin;\n",
    ]
    lines += [f"{subject}\tkey\tvisitor_000{i}\n" for i, subject in enumerate(subjects)]
    lines.append("\\.\n\n")
    lines.append("COPY public.img (id, content) FROM stdin;\n")
    lines += [f"{image_id}\t\\\\x{photo.hex()}\n" for image_id, photo in images]
    lines.append("\\.\n\n")
    lines.append(
        "COPY public.embedding (id, subject_id, embedding, calculator, img_id) FROM stdin;\n"
    )
    for eid, subject, vector, image_id in embeddings:
        array = "{" + ",".join(pg_float(v) for v in vector) + "}"
        lines.append(
            f"{eid}\t{subject}\t{array}\tfacenet.Calculator@20180402-114759\t{image_id or chr(92) + 'N'}\n"
        )
    lines.append("\\.\n\n--\n-- PostgreSQL database dump complete\n--\n")
    truth = {"subjects": subjects, "images": images, "embeddings": embeddings}
    return "".join(lines), truth


def test_pg_dump_copy_blocks_decode_bytea_arrays_and_nulls() -> None:
    dump, truth = compreface_fixture()
    found = read_all(SqlDumpReader(), item_from_bytes("frs.sql", dump.encode()))
    store = of_type(found, StoreFound)[0]
    assert store.details == {
        "dialect": "postgresql",
        "tables": {"subject": 3, "img": 9, "embedding": 9},
    }
    assert of_type(found, Problem) == []
    got = tables(found)
    assert got["subject"] == [
        [s, "key", f"visitor_000{i}"] for i, s in enumerate(truth["subjects"])
    ]
    assert got["img"] == [[image_id, photo] for image_id, photo in truth["images"]]
    assert got["embedding"] == [
        [eid, subject, vector, "facenet.Calculator@20180402-114759", image_id]
        for eid, subject, vector, image_id in truth["embeddings"]
    ]
    embedding = next(t for t in of_type(found, TableRows) if t.table == "embedding")
    assert embedding.column_types[2] == "double precision[]"
    first_row_line = dump.split("\n").index(
        next(x for x in dump.split("\n") if x.startswith("e00"))
    )
    assert embedding.rows[0][0] == f"line {first_row_line + 1}"


def immich_fixture() -> tuple[bytes, list[list[float]], list[str]]:
    """formats.md §10.4: pgvector text and soft-deleted faces, gzipped."""
    rng = random.Random(11)
    vectors = [[round(rng.gauss(0, 1), 6) for _ in range(512)] for _ in range(12)]
    faces = [f"f{i:02d}" for i in range(12)]
    text = [
        "-- PostgreSQL database dump\n",
        'CREATE TABLE public.asset_face (id uuid PRIMARY KEY, "assetId" uuid NOT NULL, "personId" uuid,\n'
        '  "deletedAt" timestamp with time zone);\n',
        'CREATE TABLE public.face_search ("faceId" uuid PRIMARY KEY, embedding vector(512) NOT NULL);\n',
        'COPY public.asset_face (id, "assetId", "personId", "deletedAt") FROM stdin;\n',
    ]
    for i, face in enumerate(faces):
        person = "\\N" if i == 5 else f"p{i % 3}"
        deleted = "2025-10-30 02:00:00+00" if i in (1, 2) else "\\N"
        text.append(f"{face}\ta{i}\t{person}\t{deleted}\n")
    text.append("\\.\n")
    text.append('COPY public.face_search ("faceId", embedding) FROM stdin;\n')
    for face, vector in zip(faces, vectors, strict=True):
        text.append(f"{face}\t[{','.join(str(v) for v in vector)}]\n")
    text.append("\\.\n")
    return gzip.compress("".join(text).encode()), vectors, faces


def test_immich_sql_gz_is_streamed_and_pgvector_text_becomes_floats(tmp_path: Path) -> None:
    data, vectors, faces = immich_fixture()
    path = tmp_path / "immich-db-backup-20251101T020000-v2.0.0-pg14.17.sql.gz"
    path.write_bytes(data)
    item = item_from_path(path)
    reader = SqlDumpReader()
    assert item.type == "gzip" and reader.claims(item, head_of(item))
    found = read_all(reader, item)
    got = tables(found)
    assert got["face_search"] == [
        [face, vector] for face, vector in zip(faces, vectors, strict=True)
    ]
    assert len(got["asset_face"]) == 12
    assert [row[3] is not None for row in got["asset_face"]].count(True) == 2
    assert got["asset_face"][5][2] is None


def test_pg_dump_insert_mode_with_casts_and_escape_strings() -> None:
    dump = textwrap.dedent("""\
        -- PostgreSQL database dump
        SET standard_conforming_strings = on;
        CREATE TABLE public.img (id integer, content bytea, v public.vector(3), a real[], t text);
        INSERT INTO public.img VALUES (1, '\\xffd8ff', '[1,2.5,-3]', '{1.5,2.5}', 'a\\b''c');
        INSERT INTO public.img (id, content, v, a, t) VALUES (2, '\\000\\\\z', NULL, '{}', E'l1\\nl2\\101'),
        (3, NULL, NULL, NULL, 'multi
        line; text');
        INSERT INTO public.other VALUES ('\\x00ff'::bytea, '{1,2}'::double precision[], 'x'::text);
        """)
    found = read_all(SqlDumpReader(), item_from_bytes("pg.sql", dump.encode()))
    assert of_type(found, Problem) == []
    got = tables(found)
    assert got["img"] == [
        [1, b"\xff\xd8\xff", [1.0, 2.5, -3.0], [1.5, 2.5], "a\\b'c"],
        [2, b"\x00\\z", None, [], "l1\nl2A"],
        [3, None, None, None, "multi\nline; text"],
    ]
    assert got["other"] == [[b"\x00\xff", [1.0, 2.0], "x"]]


def test_copy_text_escapes_octal_and_legacy_bytea_escape_format() -> None:
    dump = (
        "-- PostgreSQL database dump\nCREATE TABLE t (a text, b bytea, c integer[], d bool);\n"
        "COPY t (a, b, c, d) FROM stdin;\n"
        "tab\\there\\nnl\\\\bs\\101\\x42\t\\\\001\\\\377ab\\\\\\\\\t{{1,2},{3,NULL}}\tt\n"
        "\\N\t\\N\t{}\tf\n"
        "\\.\n"
    )
    rows = tables(read_all(SqlDumpReader(), item_from_bytes("t.sql", dump.encode())))["t"]
    assert rows == [
        ["tab\there\nnl\\bsAB", b"\x01\xffab\\", [[1, 2], [3, None]], True],
        [None, None, [], False],
    ]


def test_create_table_parsing_keeps_names_and_types() -> None:
    definition = parse_create_table(
        'CREATE TABLE IF NOT EXISTS "public"."FaceMatrices" (\n'
        "  \"id\" bigint NOT NULL DEFAULT nextval('x_seq'::regclass),\n"
        "  embedding vector(512) NOT NULL,\n  emb2 float8[],\n  name character varying(255) COLLATE x,\n"
        "  CONSTRAINT pk PRIMARY KEY (id),\n  price numeric(10,2)\n)"
    )
    assert definition is not None
    assert definition.name == "FaceMatrices"
    assert definition.columns == ["id", "embedding", "emb2", "name", "price"]
    assert definition.types == [
        "bigint",
        "vector(512)",
        "float8[]",
        "character varying(255)",
        "numeric(10,2)",
    ]


def test_dialect_sniffing() -> None:
    assert sniff_dialect(MYSQL_HEADER) == "mysql"
    assert sniff_dialect(compreface_fixture()[0].encode()[:4000]) == "postgresql"


# --- claiming --------------------------------------------------------------------------------


def test_claims_sql_sqlgz_and_dump_looking_text_only() -> None:
    reader = SqlDumpReader()
    sql = item_from_bytes("a.sql", b"INSERT INTO t VALUES (1);\n")
    gz_sql = item_from_bytes("b.sql.gz", gzip.compress(b"INSERT INTO t VALUES (1);\n"))
    gz_other = item_from_bytes("faces.tar.gz", gzip.compress(b"not sql"))
    dump_txt = item_from_bytes("backup.txt", MYSQL_HEADER + b"INSERT INTO `x` VALUES (1);\n")
    readme = item_from_bytes("README.txt", b"This folder holds the exports of the gate.\n")
    for item, expected in [
        (sql, True),
        (gz_sql, True),
        (gz_other, False),
        (dump_txt, True),
        (readme, False),
    ]:
        assert reader.claims(item, head_of(item)) is expected, item.name


# --- hostile and broken dumps ----------------------------------------------------------------


def test_truncated_dump_keeps_complete_rows_and_reports_where_it_stopped() -> None:
    dump, expected = mysql_fixture(rows_per_insert=4, statements=2)
    cut = dump.rfind(b"),(") + 1  # mid-way through the last INSERT, after its third row
    found = read_all(SqlDumpReader(), item_from_bytes("cut.sql", dump[: cut + 9]))
    rows = tables(found)["face_record"]
    assert rows == expected[:7]
    problems = of_type(found, Problem)
    last_insert_line = dump[:cut].count(b"\n") + 1
    assert {p.locator for p in problems} == {
        f"evidence/cut.sql line {last_insert_line}",
        f"evidence/cut.sql line {last_insert_line} row 4",
    }
    assert any("not terminated" in p.reason for p in problems)


def test_unbalanced_quote_is_reported_and_the_next_statements_are_read() -> None:
    dump = (
        b"INSERT INTO t VALUES (1,'ok');\n"
        b"INSERT INTO t VALUES (2,'broken);\n"
        b"INSERT INTO t VALUES (3,'fine');\n"
        b"INSERT INTO u VALUES (4);\n"
    )
    found = read_all(SqlDumpReader(), item_from_bytes("q.sql", dump))
    got = tables(found)
    assert got == {"t": [[1, "ok"], [3, "fine"]], "u": [[4]]}
    assert [p.locator for p in of_type(found, Problem)] == ["evidence/q.sql line 2"]


def test_over_long_line_is_skipped_without_being_held_and_reading_goes_on() -> None:
    long_insert = b"INSERT INTO t VALUES (2,0x" + b"ab" * 5000 + b");\n"
    dump = b"INSERT INTO t VALUES (1,0x01);\n" + long_insert + b"INSERT INTO t VALUES (3,0x03);\n"
    found = read_all(SqlDumpReader(line_limit=1000), item_from_bytes("big.sql", dump))
    assert tables(found)["t"] == [[1, b"\x01"], [3, b"\x03"]]
    problems = of_type(found, Problem)
    assert [(p.locator, p.reason) for p in problems] == [
        ("evidence/big.sql line 2", "line longer than 1000 bytes, skipped")
    ]


def test_over_long_copy_line_skips_one_row() -> None:
    dump = (
        "-- PostgreSQL database dump\nCOPY img (id, content) FROM stdin;\n1\t\\\\x00\n"
        f"2\t\\\\x{'ff' * 4000}\n3\t\\\\x03\n\\.\n"
    ).encode()
    found = read_all(SqlDumpReader(line_limit=500), item_from_bytes("c.sql", dump))
    assert tables(found)["img"] == [["1", b"\x00"], ["3", b"\x03"]]
    assert [p.locator for p in of_type(found, Problem)] == ["evidence/c.sql line 4"]


def test_malformed_row_is_reported_with_row_number_and_the_rest_goes_on() -> None:
    dump = (
        b"INSERT INTO t VALUES (1,'a'),(2,garbage),(3,'c');\n"
        b"INSERT INTO t VALUES (4,'d');\n"
        b"INSERT INTO ;\n"
        b"INSERT INTO t VALUES (5,'e');\n"
    )
    found = read_all(SqlDumpReader(), item_from_bytes("m.sql", dump))
    assert tables(found)["t"] == [[1, "a"], [4, "d"], [5, "e"]]
    problems = of_type(found, Problem)
    assert [p.locator for p in problems] == ["evidence/m.sql line 1 row 2", "evidence/m.sql line 3"]
    assert "garbage" in problems[0].reason


def test_truncated_gzip_ends_with_a_problem_not_an_exception() -> None:
    dump, expected = mysql_fixture(rows_per_insert=50, statements=20)
    data = gzip.compress(dump)
    found = read_all(SqlDumpReader(), item_from_bytes("cut.sql.gz", data[: len(data) // 2]))
    rows = tables(found).get("face_record", [])
    assert 0 < len(rows) < len(expected)
    assert rows == expected[: len(rows)]
    assert any("could not be read further" in p.reason for p in of_type(found, Problem))


def test_copy_block_without_terminator_is_reported() -> None:
    dump = b"-- PostgreSQL database dump\nCOPY t (a) FROM stdin;\nx\ny\n"
    found = read_all(SqlDumpReader(), item_from_bytes("t.sql", dump))
    assert tables(found)["t"] == [["x"], ["y"]]
    assert [p.locator for p in of_type(found, Problem)] == ["evidence/t.sql line 2"]


def test_rows_left_unconsumed_are_counted_not_lost_silently() -> None:
    dump = b"INSERT INTO t VALUES (1),(2),(3);\nINSERT INTO u VALUES (4);\n"
    found = list(SqlDumpReader().read(item_from_bytes("t.sql", dump), None))  # rows never read
    problems = of_type(found, Problem)
    assert [p.reason for p in problems] == [
        "3 rows were not consumed by the scanner",
        "1 rows were not consumed by the scanner",
    ]


# --- memory ----------------------------------------------------------------------------------

_MEASURE = """
import json, sys
from pathlib import Path
from tests.sources.items import item_from_path
from venue_audit.sources.base import DefaultContext, TableRows
from venue_audit.sources.sqldump import SqlDumpReader

rows = blob_bytes = 0
store = None
for found in SqlDumpReader().read(item_from_path(Path(sys.argv[1])), DefaultContext()):
    if isinstance(found, TableRows):
        for _, values in found.rows:
            rows += 1
            blob_bytes += len(values[2])
    elif hasattr(found, "kind"):
        store = found
    else:
        print("PROBLEM", found, file=sys.stderr)
# VmHWM is this process image's own peak; ru_maxrss would include the pytest parent's RSS at
# fork time, which Linux carries across execve.
peak_kib = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rows": rows, "blob_bytes": blob_bytes, "tables": store.details["tables"],
                  "peak_mib": peak_kib / 1024}))
"""


def write_big_mysqldump(path: Path, target_bytes: int) -> tuple[int, int]:
    """A mysqldump of ``target_bytes`` written line by line: ~1 MiB extended INSERTs of hex blobs."""
    blob = os.urandom(3000)
    hex_blob = blob.hex().encode()
    rows = blob_bytes = 0
    written = 0
    with path.open("wb") as out:
        out.write(MYSQL_HEADER.replace(b"face_record", b"capture"))
        out.write(b"CREATE TABLE `blobs` (`id` int, `cam` varchar(8), `img` longblob);\n")
        while written < target_bytes:
            parts = []
            for _ in range(170):
                rows += 1
                blob_bytes += len(blob)
                parts.append(b"(%d,'CH01',0x%s)" % (rows, hex_blob))
            line = b"INSERT INTO `blobs` VALUES " + b",".join(parts) + b";\n"
            out.write(line)
            written += len(line)
    return rows, blob_bytes


@pytest.mark.slow
def test_a_1gb_dump_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.sql"
    expected_rows, expected_bytes = write_big_mysqldump(path, 1 << 30)
    assert path.stat().st_size >= 1 << 30
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    report = json.loads(result.stdout)
    assert result.stderr == ""
    assert report["rows"] == expected_rows
    assert report["blob_bytes"] == expected_bytes
    assert report["tables"] == {"blobs": expected_rows}
    assert report["peak_mib"] < 500


def test_headerless_postgres_insert_snippet_is_read_as_postgresql() -> None:
    dump = b"INSERT INTO public.img VALUES (1, '\\xffd8ff', 'C:\\faces');\n"
    found = read_all(SqlDumpReader(), item_from_bytes("snippet.sql", dump))
    assert of_type(found, StoreFound)[0].details["dialect"] == "postgresql"
    assert tables(found)["img"] == [[1, b"\xff\xd8\xff", "C:\\faces"]]


@pytest.mark.parametrize(
    "suffix, compress", [(".sql.bz2", bz2.compress), (".sql.xz", lzma.compress)]
)
def test_bzip2_and_xz_dumps_are_streamed_too(
    suffix: str, compress: Callable[[bytes], bytes]
) -> None:
    dump, expected = mysql_fixture(rows_per_insert=3, statements=2)
    item = item_from_bytes("backup" + suffix, compress(dump))
    assert SqlDumpReader().claims(item, head_of(item))
    assert tables(read_all(SqlDumpReader(), item))["face_record"] == expected


def test_base64_and_hex_functions_decode_to_bytes() -> None:
    photo = b"\xff\xd8\xff\xe0" + bytes(range(200))
    encoded = base64.b64encode(photo).decode()
    dump = (
        f"INSERT INTO t VALUES (1, FROM_BASE64('{encoded}'), UNHEX('{photo.hex()}'), "
        f"'{encoded}');\n"
    ).encode()
    found = read_all(SqlDumpReader(), item_from_bytes("m.sql", dump))
    assert found[0].details["dialect"] == "mysql"
    mysql_rows = tables(found)["t"]
    assert mysql_rows == [[1, photo, photo, encoded]], "plain base64 text stays text"
    pg = f"-- PostgreSQL database dump\nINSERT INTO public.t VALUES (decode('{encoded}', 'base64'));\n"
    assert tables(read_all(SqlDumpReader(), item_from_bytes("p.sql", pg.encode())))["t"] == [
        [photo]
    ]


def test_dollar_quoted_function_bodies_do_not_derail_the_split() -> None:
    dump = textwrap.dedent("""\
        -- PostgreSQL database dump
        \\restrict Kq3fPz
        CREATE FUNCTION public.f() RETURNS trigger
            LANGUAGE plpgsql
            AS $_$
        BEGIN
          -- it's a comment; with a quote
          RAISE NOTICE 'don''t; stop';
          PERFORM 'unbalanced in a body isn't an error';
        END
        $_$;
        \\connect immich
        CREATE TABLE public.t (id integer, v vector(2));
        COPY public.t (id, v) FROM stdin;
        1\t[1,2]
        \\.
        """)
    found = read_all(SqlDumpReader(), item_from_bytes("f.sql", dump.encode()))
    assert of_type(found, Problem) == []
    assert tables(found) == {"t": [[1, [1.0, 2.0]]]}


_SQL_PIECES = st.sampled_from(
    [
        "INSERT INTO t VALUES ",
        "(",
        ")",
        ",",
        ";",
        "'",
        "''",
        '"',
        "\\",
        "\\'",
        "0x",
        "ff",
        "_binary ",
        "NULL",
        "1.5e3",
        "\n",
        "COPY t (a) FROM stdin;\n",
        "\\.\n",
        "\t",
        "\\N",
        "{1,2}",
        "[1,2]",
        "$$",
        "CREATE TABLE t (a bytea, b vector(2));\n",
        "-- c\n",
        "/*!40101 */",
        "E'",
        "::bytea",
        "\x00",
        "é",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SQL_PIECES, max_size=40), st.sampled_from(["mysql", "postgresql"]))
def test_any_jumble_of_sql_yields_only_values_and_problems(pieces: list[str], dialect: str) -> None:
    header = "-- PostgreSQL database dump\n" if dialect == "postgresql" else "-- MySQL dump\n"
    data = (header + "".join(pieces)).encode()
    found = read_all(SqlDumpReader(line_limit=200), item_from_bytes("j.sql", data))
    assert all(isinstance(f, StoreFound | TableRows | Problem) for f in found)
    assert all(p.locator.startswith("evidence/j.sql") for p in of_type(found, Problem))


def test_binary_strings_that_happen_to_be_valid_utf8_keep_their_exact_bytes() -> None:
    blobs = [b"\xc3\xa9", b"\xe5\xbc\xa0\x00", b"\xc3\xa9\xff", "é".encode("latin-1")]
    dump = (
        b"CREATE TABLE t (b blob);\n"
        + b"".join(
            b"INSERT INTO t VALUES (_binary " + mysql_quote(blob) + b");\n" for blob in blobs[:2]
        )
        + b"".join(b"INSERT INTO t VALUES (" + mysql_quote(blob) + b");\n" for blob in blobs[2:])
    )
    assert tables(read_all(SqlDumpReader(), item_from_bytes("u.sql", dump)))["t"] == [
        [b] for b in blobs
    ]


def test_strings_that_are_not_utf8_in_untyped_columns_come_out_as_bytes() -> None:
    blob = b"\xff\xd8\xff\xe0" + bytes(range(256))
    dump = b"INSERT INTO t VALUES (" + mysql_quote(blob) + b",'caf\xc3\xa9');\n"
    assert tables(read_all(SqlDumpReader(), item_from_bytes("x.sql", dump)))["t"] == [
        [blob, "café"]
    ]
    copy = b"-- PostgreSQL database dump\nCOPY t (a) FROM stdin;\nab\xffcd\n\\.\n"
    assert tables(read_all(SqlDumpReader(), item_from_bytes("c.sql", copy)))["t"] == [[b"ab\xffcd"]]


def test_single_row_statements_are_located_by_line_alone() -> None:
    dump = (
        b"INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2),(3);\nINSERT INTO t VALUES (4),(x);\n"
    )
    found = read_all(SqlDumpReader(), item_from_bytes("s.sql", dump))
    assert [loc for loc, _ in of_type(found, TableRows)[0].rows] == [
        "line 1",
        "line 2 row 1",
        "line 2 row 2",
        "line 3 row 1",
    ]

"""Values as the snapshot stores them, order-free table hashes, and URLs without secrets."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import numpy as np
import pytest

from venue_audit.acquire.live import (
    BadTarget,
    is_database_url,
    parse_target,
    snapshot_value,
    vector_text_to_json,
)
from venue_audit.acquire.live.encoding import TableDigest, row_digest
from venue_audit.sources import values


def test_pgvector_text_becomes_a_json_array_the_scanner_decodes_as_a_template():
    floats = np.random.default_rng(1).standard_normal(512).astype(np.float32)
    text = "[" + ",".join(repr(float(x)) for x in floats) + "]"
    stored = snapshot_value(text, "vector(512)")
    assert json.loads(stored) == [float(x) for x in floats]
    decoded = values.vector(stored)
    assert decoded is not None and decoded.size == 512
    assert np.allclose(decoded, floats)


def test_pgvector_text_is_canonical_whatever_the_server_prints():
    assert vector_text_to_json("[1,2.5,-0.25]") == vector_text_to_json("[1.0, 2.50, -0.250]")
    assert vector_text_to_json("[1,2.5,-0.25]") == "[1,2.5,-0.25]"
    assert vector_text_to_json("[]") == "[]"


def test_text_that_is_not_a_vector_is_kept_as_is():
    assert vector_text_to_json("[draft] notes") == "[draft] notes"
    assert snapshot_value("[1,2]", "text") == "[1,2]"  # only vector-typed columns are rewritten


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (None, None),
        (True, 1),
        (7, 7),
        (1 << 70, str(1 << 70)),  # beyond SQLite's 64-bit integers
        (0.5, 0.5),
        (b"\xff\xd8\xff", b"\xff\xd8\xff"),
        (memoryview(b"ab"), b"ab"),
        ([0.25, -1.0], "[0.25,-1.0]"),  # float8[] / real[]
        ({"mask": False}, '{"mask":false}'),  # jsonb
        (Decimal("1.50"), "1.50"),  # not rounded to 1.5
        (dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC), "2024-03-01T08:00:00+00:00"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (dt.timedelta(hours=2), "2:00:00"),
    ],
)
def test_server_values_become_exact_sqlite_values(value, stored):
    assert snapshot_value(value) == stored


def test_row_digest_distinguishes_types_and_boundaries():
    assert row_digest([1]) != row_digest(["1"])
    assert row_digest(["ab", "c"]) != row_digest(["a", "bc"])
    assert row_digest([None]) != row_digest([""])
    assert row_digest([b"x"]) != row_digest(["x"])


def test_table_hash_ignores_row_order_but_not_content():
    rows = [[n, f"visitor {n}", bytes([n])] for n in range(50)]
    forward, backward, changed = (
        TableDigest(["id", "name", "img"], ["int", "text", "bytea"]) for _ in range(3)
    )
    for row in rows:
        forward.add(row)
    for row in reversed(rows):
        backward.add(row)
    for row in [*rows[:-1], [49, "visitor 49", b"\x00"]]:
        changed.add(row)
    assert forward.hexdigest() == backward.hexdigest()
    assert forward.hexdigest() != changed.hexdigest()
    assert forward.rows == 50


def test_table_hash_covers_the_column_header():
    first, second = TableDigest(["a"], ["int"]), TableDigest(["b"], ["int"])
    first.add([1])
    second.add([1])
    assert first.hexdigest() != second.hexdigest()


def test_database_urls_are_told_apart_from_paths():
    assert is_database_url("postgresql://auditor@10.0.0.5/frs")
    assert is_database_url("mysql://root@db/visitors")
    assert is_database_url("mariadb://root@db/visitors")
    assert not is_database_url("/mnt/export/server")
    assert not is_database_url("sqlite:///face.db")


def test_url_is_parsed_and_displayed_without_secrets():
    target = parse_target("postgres://auditor@10.0.0.5/frs?sslmode=require")
    assert (target.dialect, target.host, target.port, target.user, target.database) == (
        "postgresql",
        "10.0.0.5",
        5432,
        "auditor",
        "frs",
    )
    assert target.display == "postgresql://auditor@10.0.0.5:5432/frs?sslmode=require"
    assert parse_target("mysql://root@db/visitors").port == 3306


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://auditor:s3cret@host/db",
        "mysql://root:s3cret@host/db",
        "postgresql://u@h/db?password=s3cret",
    ],
)
def test_a_password_in_the_url_is_refused_without_repeating_it(url):
    with pytest.raises(BadTarget) as raised:
        parse_target(url)
    assert "s3cret" not in str(raised.value)
    assert "VENUE_AUDIT_DB_PASSWORD" in str(raised.value)

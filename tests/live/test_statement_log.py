"""The no-write proof is only as good as its pattern: it must catch writes and pass reads."""

from __future__ import annotations

import pytest

from .servers import WRITE_STATEMENT


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO img VALUES (1)",
        "  update visitor set name = 'x'",
        "DELETE FROM face_capture",
        "create table t (a int)",
        "DROP TABLE embedding",
        "alter table x add column y int",
        "TRUNCATE face_search",
        "REPLACE INTO t VALUES (1)",
        "grant select on t to u",
        "COPY img FROM '/tmp/x'",
        "select * into new_table from img",
    ],
)
def test_writes_are_recognised(statement):
    assert WRITE_STATEMENT.match(statement)


@pytest.mark.parametrize(
    "statement",
    [
        'select "created_at", "updated_by" from "public"."img" order by "id"',
        "SELECT COUNT(*) FROM `visitors`.`face_capture`",
        'DECLARE "venue_audit_copy" CURSOR FOR select "id" from "public"."img"',
        "SET SESSION TRANSACTION READ ONLY",
        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        "select @@session.tx_isolation into @x",
    ],
)
def test_reads_are_not_mistaken_for_writes(statement):
    assert not WRITE_STATEMENT.match(statement)

"""A running Immich database with real pgvector columns, acquired read-only and scanned.

The tables are those of immich-app/immich's migrations (v1.137+ singular names, and the
v1.106–1.136 plural ones; see tests/profiles/test_immich.py), loaded with COPY the way a
restore of Immich's own backup does: ``face_search.embedding vector(512)`` and, as the
decoy, ``smart_search.embedding halfvec(512)``. pgvector is built from Debian's source
package by ``.ci/services.sh``; without it these tests skip.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.profiles.fixtures import _pg_field
from tests.profiles.scanning import store_views
from tests.profiles.test_immich import KEPT, tables
from venue_audit.acquire.live import acquire_database
from venue_audit.scan import ScanOptions, scan

from .fixtures import ENVIRON

SCHEMAS = {"v1.137": 21, "v1.106": 22}


def load(connection, spec: list) -> None:
    connection.execute("create extension if not exists vector")
    connection.execute("create type public.assets_status_enum as enum ('active','trashed','deleted')")
    connection.execute("create type public.sourcetype as enum ('machine-learning','exif','manual')")
    for name, ddl, _, _ in spec:
        if name == "smart_search":
            ddl = ddl.replace("public.vector(512)", "public.halfvec(512)")
        connection.execute(f"create table public.{name} ({ddl})")
    with connection.cursor() as cursor:
        for name, _, columns, rows in spec:
            quoted = ", ".join(c if c.islower() else f'"{c}"' for c in columns)
            with cursor.copy(f"copy public.{name} ({quoted}) from stdin") as copy:
                for row in rows:
                    copy.write("\t".join(_pg_field(v) for v in row) + "\n")
    connection.execute("grant select on all tables in schema public to auditor")


@pytest.fixture(scope="module")
def immich_databases(live_postgres):
    with live_postgres.server.admin() as admin:
        if not admin.execute(
            "select 1 from pg_available_extensions where name = 'vector'"
        ).fetchone():
            pytest.skip("pgvector is not installed (.ci/services.sh builds it from Debian's source)")
    truths = {}
    for schema, seed in SCHEMAS.items():
        database = f"immich_{schema.replace('.', '_')}"
        with live_postgres.server.admin() as admin:
            admin.execute(f"create database {database}")
        spec, truth = tables(seed, schema)
        with live_postgres.server.admin(database) as connection:
            load(connection, spec)
            kinds = dict(connection.execute(
                "select table_name, udt_name from information_schema.columns"
                " where column_name = 'embedding'"
            ).fetchall())
        assert kinds == {"face_search": "vector", "smart_search": "halfvec"}
        truths[schema] = (database, truth)
    return truths


@pytest.mark.slow
@pytest.mark.parametrize("schema", list(SCHEMAS))
def test_real_vector_columns_are_acquired_and_scanned_with_joined_keys(
    live_postgres, immich_databases, case, schema
) -> None:
    database, truth = immich_databases[schema]
    result = acquire_database(case, live_postgres.server.url("auditor", database), environ=ENVIRON)
    copied = {t.name: t.rows for t in result.copied}
    asset, face = ("asset", "asset_face") if schema == "v1.137" else ("assets", "asset_faces")
    assert copied == {asset: 12, face: 12, "face_search": 12}  # smart_search (CLIP) is not copied
    scan(case, ScanOptions(workers=1))
    [store] = [v for v in store_views(case, "").values() if v.kind == "sqlite"]
    assert (store.profile, store.records, store.face_templates) == ("immich", 10, 10)
    artifacts = store.artifacts
    assert [n for n, a in enumerate(artifacts) if a["deleted"]] == list(KEPT)
    got = [(a["person_key"], datetime.fromisoformat(a["captured_at"])) for a in artifacts]
    assert got == [(person, datetime.fromisoformat(at)) for person, at in truth["faces"]]
    assert store.spaces == ["arcface-buffalo_l-512"] * 12

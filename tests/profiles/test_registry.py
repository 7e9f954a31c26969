"""The profile registry: which product a table or picture belongs to, decided from the evidence alone."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from venue_audit.scan.dispatch import StoreRef
from venue_audit.sources.base import TableRows
from venue_audit.sources.profiles.base import opaque_bytes
from venue_audit.sources.profiles.doubletake import recognised_names
from venue_audit.sources.profiles.registry import (
    ProfileSession,
    explicit_roles,
    match_table,
    picture_facts,
    profiles,
)

UUID = "0d9c2c0e-5f4b-4e0e-9b8a-1f2e3d4c5b6a"
OWNER = "8b4ae5f1-a941-46a0-956a-26afbccdafe5"


def test_every_system_of_the_issue_has_a_profile() -> None:
    assert {p.NAME for p in profiles()} >= {
        "immich", "photoprism", "compreface", "digikam", "frigate", "double-take",
        "zkteco-biotime", "zkteco-adms",
    }


def test_the_core_never_names_a_profile() -> None:
    names = {p.NAME for p in profiles()}
    core = Path(__file__).resolve().parents[2] / "venue_audit" / "scan"
    for source in core.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert not [n for n in names if re.search(rf'"{re.escape(n)}"', text)], source.name


def test_a_table_matches_only_with_its_name_and_required_columns() -> None:
    dump = StoreRef("x.sql", "sql-dump")
    assert match_table(dump, "event", ["id", "label", "sub_label", "camera", "start_time"])
    assert match_table(dump, "event", ["id", "label", "start_time"]) is None  # someone else's events
    assert match_table(dump, "public.face_search", ["faceId", "embedding"]).profile.NAME == "immich"


def test_a_sqlite_store_must_hold_the_products_signature_tables() -> None:
    columns = ["id", "embedding_json", "subj_uid"]
    lone = StoreRef("a.db", "sqlite", details={"tables": {"faces": 3}})
    full = StoreRef("b.db", "sqlite", details={"tables": {"faces": 3, "markers": 9, "subjects": 2}})
    assert match_table(lone, "faces", columns) is None
    assert match_table(full, "faces", columns).profile.NAME == "photoprism"
    # a dump learns its tables as it streams: the table's own name and columns decide
    assert match_table(StoreRef("c.sql", "sql-dump"), "faces", columns).profile.NAME == "photoprism"


def test_decoy_tables_get_no_face_roles_and_say_why() -> None:
    table = TableRows("smart_search", ["assetId", "embedding"], iter([("line 1", [UUID, "[0.1]"])]))
    _, roles, name = explicit_roles(StoreRef("d.sql", "sql-dump"), table)
    assert name == "immich" and not roles.holds_faces and "CLIP" in roles.reasons[0]


def test_the_session_names_a_dump_store_again_when_the_reader_reports_it_anew() -> None:
    session = ProfileSession()
    first = StoreRef("d.sql", "sql-dump")
    session.name_store(first, TableRows("face_search", ["faceId", "embedding"], iter([])))
    final_report = StoreRef("d.sql", "sql-dump")  # the dump reader's closing StoreFound
    session.name_store(final_report, None)
    assert (first.profile, final_report.profile) == ("immich", "immich")


def test_folder_layouts_name_person_and_time() -> None:
    thumb = picture_facts(f"x/thumbs/{OWNER}/{UUID[:2]}/{UUID[2:4]}/{UUID}.jpeg")
    assert (thumb.profile, thumb.person_key) == ("immich", UUID)
    train = picture_facts(
        "m/clips/faces/train/1731000000.100000-k3j9xq-1731000001.75-alice-0.93.webp", "UTC"
    )
    assert (train.profile, train.person_key, train.captured.at.isoformat()) == (
        "frigate", "alice", "2024-11-07T17:20:01.750000+00:00")
    crop = picture_facts("s/cache/thumbnails/a/b/c/" + "ab" * 20 + "_160x160_crop_136198093104.jpg")
    assert (crop.profile, crop.captured) == ("photoprism", None)
    assert picture_facts("nvr/CH01/CH01_20240315101523.jpg") is None
    assert picture_facts("backup.zip!/biophoto/1001.jpg").person_key == "1001"


def test_double_take_names_only_confident_matches() -> None:
    response = '[{"results": [{"name": "alice", "match": true}, {"name": "unknown", "match": false}]}]'
    assert recognised_names(response) == ["alice"]
    assert recognised_names("not json") == [] and recognised_names('{"results": 3}') == []


def test_biotime_json_templates_unwrap_to_their_bytes() -> None:
    assert opaque_bytes('{"0": "AAECAwQFBgcICQoLDA0ODxAR"}') == bytes(range(18))


_cells = st.one_of(
    st.none(), st.text(max_size=40), st.binary(max_size=40), st.integers(), st.floats(),
    st.lists(st.floats(allow_nan=False), max_size=4),
)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_hostile_rows_never_break_a_profile(data: st.DataObject) -> None:
    for profile in profiles():
        for table_map in profile.TABLES:
            columns = sorted(table_map.required)
            rows = [(f"row {i}", data.draw(st.lists(_cells, min_size=len(columns),
                                                    max_size=len(columns)))) for i in range(3)]
            found = explicit_roles(StoreRef("h.sql", "sql-dump"),
                                   TableRows(table_map.table, columns, iter(rows)))
            assert found is not None
            assert len(list(found[0].rows)) == 3


def test_compreface_keeps_an_unknown_calculator_in_a_space_of_its_own() -> None:
    vector = "{" + ",".join(["0.04", "-0.05"] * 256) + "}"
    rows = [("row 1", ["e1", "s1", vector, "custom.Calculator@v9", None])]
    table = TableRows("embedding", ["id", "subject_id", "embedding", "calculator", "img_id"], iter(rows))
    adapted, roles, _ = explicit_roles(StoreRef("f.sql", "sql-dump"), table)
    [(_, row)] = list(adapted.rows)
    filled = [t for t in roles.templates if row[t.index] is not None]
    assert [t.space for t in filled] == ["compreface-other-calculator-512"]


def test_older_schemas_and_third_party_stores_are_still_recognised() -> None:
    old_immich = StoreRef("s.sqlite", "sqlite", details={"tables": {"asset_faces": 1, "person": 1}})
    columns = ["id", "assetId", "personId", "embedding"]
    assert match_table(old_immich, "asset_faces", columns).profile.NAME == "immich"
    adms_server = StoreRef("adms.db", "sqlite", details={"tables": {"BIODATA": 4, "devices": 1}})
    assert match_table(adms_server, "BIODATA", ["Pin", "Type", "Tmp"]).profile.NAME == "zkteco-adms"

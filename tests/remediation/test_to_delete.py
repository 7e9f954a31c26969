"""The to-delete list of the sample venue: every record that must go, with its place and reason.

The expected list is built from the sample's own construction (who consented, withdrew or never
consented, which rows were deleted, which crops went to the cloud zip, which NVR frames show
whom) and the sample database itself, never from what the scan found.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.remediation.conftest import SERVER_DB, TRUTH, sample_rows
from venue_audit.remediation import build_to_delete, load_to_delete, make_to_delete
from venue_audit.remediation.export import export_to_delete
from venue_audit.remediation.statements import delete_statements, script
from venue_audit.sample_venue import (
    BACKED_UP,
    NVR_FRAMES,
    RETENTION_DAYS,
    VISITOR_IDS,
)

AS_OF = date.fromisoformat(TRUTH["as_of"])
IDENTITY_OF = {visitor: identity for identity, visitor in VISITOR_IDS.items()}
STATUS_REASON = {"no_consent": "no_consent", "withdrawn_retained": "withdrawn"}


def _reasons(identities: list[str], captured: datetime, offsite: bool = False) -> list[str]:
    statuses = [TRUTH["person_status"].get(i, "no_consent") for i in identities]
    reasons = {STATUS_REASON[s] for s in statuses if s in STATUS_REASON}
    if not reasons and (AS_OF - captured.date()).days > RETENTION_DAYS:
        reasons.add("expired")
    if offsite:
        reasons.add("offsite")
    return sorted(reasons)


def expected_rows() -> dict[int, list[str]]:
    """Live database row id -> reasons, for every row that must go."""
    expected = {}
    for row_id, visitor, captured in sample_rows():
        reasons = _reasons([IDENTITY_OF[visitor]], datetime.fromisoformat(captured))
        if reasons:
            expected[row_id] = reasons
    return expected


def expected_files() -> dict[str, list[str]]:
    """NVR frame path -> reasons."""
    expected = {}
    for _, channel, stamp, identities in NVR_FRAMES:
        reasons = _reasons(identities, datetime.strptime(stamp, "%Y%m%d%H%M%S"))
        if reasons:
            expected[f"export/nvr/{channel}/{channel}_{stamp}.jpg"] = reasons
    return expected


def test_every_record_that_must_go_is_listed_with_its_place_and_reason(sample_case) -> None:
    result = build_to_delete(sample_case)
    live_rows = {
        i.location.key_values[0]: sorted(i.reasons)
        for i in result.items
        if i.location.table == "t_face_capture" and i.state == "live"
    }
    assert live_rows == expected_rows()
    for item in result.items:
        if item.location.table == "t_face_capture" and item.state == "live":
            assert item.location.file == "export/server/face_capture.db"
            assert item.location.key_columns == ["id"]  # the schema's key, not the rowid
            assert item.action == "delete_row"
    files = {i.location.file: sorted(i.reasons) for i in result.items if i.action == "delete_file"}
    assert files == expected_files()


def test_off_site_copies_are_listed_as_archive_members(sample_case) -> None:
    result = build_to_delete(sample_case)
    members = {i.location.member: i for i in result.items if i.action == "delete_member"}
    assert len(members) == len(BACKED_UP)
    for item in members.values():
        assert item.location.file == "export/cloud/backup_20240316.zip"
        visitor = Path(item.location.member).name.split("_")[0]
        assert "offsite" in item.reasons
        assert set(item.reasons) - {"offsite"} == set(
            _reasons([IDENTITY_OF[visitor]], datetime(2024, 6, 30))
        )
        assert "PIPL Art. 47" in item.basis  # the deletion duty
    assert result.remotes == ["oss://scrm-cloud-backup/faces/"]


def test_recoverable_remnants_are_listed_for_finalising_and_none_of_the_consented(
    sample_case,
) -> None:
    result = build_to_delete(sample_case)
    remnants = [i for i in result.items if i.state == "recoverable"]
    assert len(remnants) == TRUTH["faces"]["deleted_recoverable"]
    assert {i.action for i in remnants} == {"finalise"}
    consented_keys = {VISITOR_IDS[i] for i, s in TRUTH["person_status"].items() if s == "consented"}
    for item in result.items:
        assert not set(item.person_keys) & consented_keys, item.location.describe()
    consented_frame = next(
        f"export/nvr/{c}/{c}_{s}.jpg" for _, c, s, who in NVR_FRAMES if who == ["alex_lacamoire"]
    )
    assert consented_frame not in {i.location.file for i in result.items}


def test_every_item_cites_verified_law_in_force(sample_case) -> None:
    result = build_to_delete(sample_case)
    withdrawn = next(i for i in result.items if i.reasons == ["withdrawn"])
    assert {"PIPL Art. 15", "PIPL Art. 47"} <= set(withdrawn.basis)
    expired = next(i for i in result.items if i.reasons == ["expired"])
    assert "PIPL Art. 19" in expired.basis
    # the 2025 Measures were not in force at the sample's as-of date: later guidance only
    assert all(not c.startswith("Measures") for i in result.items for c in i.basis)
    assert "Measures Art. 8" in expired.later_guidance


def test_the_sql_parses_and_deletes_exactly_the_listed_rows(sample_case, tmp_path: Path) -> None:
    result = build_to_delete(sample_case)
    copy = tmp_path / "face_capture.db"
    shutil.copyfile(SERVER_DB, copy)
    (deletion,) = result.deletions
    assert (deletion.table, deletion.key_columns) == ("t_face_capture", ("id",))
    with sqlite3.connect(copy) as db:
        for statement in delete_statements(deletion):
            assert sqlite3.complete_statement(statement)
            db.execute(statement)
        remaining = {row[0] for row in db.execute("select id from t_face_capture")}
    listed = set(expected_rows())
    assert remaining == {row_id for row_id, _, _ in sample_rows()} - listed
    assert {k[0] for k in deletion.keys} == listed


def test_the_whole_script_runs_on_a_copy_and_leaves_nothing_recoverable(
    sample_case, tmp_path: Path
) -> None:
    result = build_to_delete(sample_case)
    copy = tmp_path / "face_capture.db"
    shutil.copyfile(SERVER_DB, copy)
    connection = sqlite3.connect(copy, isolation_level=None)
    connection.executescript(script(result.deletions, ["review me"]))
    connection.close()
    data = copy.read_bytes()
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        listed = db.execute(
            f"select face_img from t_face_capture where id in ({','.join(map(str, expected_rows()))})"
        ).fetchall()
    # the middle of each picture: JPEG headers are shared by all crops of one quality
    assert listed and all(b[len(b) // 2 : len(b) // 2 + 64] not in data for (b,) in listed)


def test_the_list_is_kept_in_the_case_and_its_digest_logged(sample_case) -> None:
    made = make_to_delete(sample_case, ["test"])
    again = load_to_delete(sample_case)
    assert again is not None and again.digest == made.digest
    assert [i.as_dict() for i in again.items] == [i.as_dict() for i in made.items]
    event = sample_case.custody_events()[-1]
    assert event["action"] == "to-delete" and made.digest in event["detail"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_csv_and_xlsx_hold_every_item_and_sql_beside_them(
    sample_case, tmp_path: Path, suffix: str
) -> None:
    result = build_to_delete(sample_case)
    files = export_to_delete(result, tmp_path / f"待删除清单{suffix}", "SELF-1")
    if suffix == ".csv":
        with files.table.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    else:
        from openpyxl import load_workbook

        book = load_workbook(files.table, read_only=True)
        rows = [list(r) for r in book["待删除清单"].iter_rows(values_only=True)]
        assert "DELETE FROM" in "\n".join(str(r[0]) for r in book["SQL"].iter_rows(values_only=True))
    assert rows[0][:4] == ["序号", "删除原因", "数据状态", "处理方式"]
    assert [int(r[0]) for r in rows[1:]] == [i.number for i in result.items]
    assert any("已撤回同意" in r[1] for r in rows[1:])
    assert any("个人信息保护法》第四十七条" in r[17] for r in rows[1:])
    (sql,) = files.sql
    assert sql.name == "待删除清单-face_capture.db.sql"
    assert "DELETE FROM \"t_face_capture\" WHERE \"id\" IN (" in sql.read_text(encoding="utf-8")


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(tmp_path: Path) -> None:
    from venue_audit.remediation.export import safe_cell

    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("export/a.jpg") == "export/a.jpg"
    assert safe_cell(12) == 12

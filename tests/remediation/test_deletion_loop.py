"""The loop from the to-delete list to verified deletion, on a copy of the sample venue.

The business deletes what the list says — the rows by the generated DELETE statements (a plain
DELETE, as SQLite does it by default), the listed NVR frames, the cloud backup — and asks
verify-deletion. Deleted SQLite rows stay in free pages until VACUUM, so every database item is
"still recoverable", and so is every file whose picture is also inside one of those rows; after
VACUUM every item is "deleted". Expectations come from the sample's construction and from the
bytes of the files, never from the tool's own recovery.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pdf_reading import pdf_text
from tests.remediation.conftest import SERVER_DB
from venue_audit.cli import app
from venue_audit.remediation import make_to_delete
from venue_audit.remediation.statements import delete_statements
from venue_audit.sample_venue import NVR_FRAMES, VISITORS
from venue_audit.scan import ScanOptions
from venue_audit.verify import verify_deletion


def _middle(data: bytes) -> bytes:
    """64 bytes from the middle: JPEG headers are shared by crops of one quality."""
    return data[len(data) // 2 : len(data) // 2 + 64]


def _frame_copied_into_a_row(file: str) -> bool:
    """Whether an NVR frame's source photo was also cropped into a server database row."""
    source = next(photo for photo, channel, stamp, _ in NVR_FRAMES if file.endswith(f"{channel}_{stamp}.jpg"))
    identity, name = source.split("/")
    return identity in VISITORS and name in VISITORS[identity][0]


@pytest.fixture
def deleted_as_listed(sample_case, sample_export: Path, tmp_path: Path):
    """The list made, then carried out on a copy of the export with a plain DELETE."""
    listed = make_to_delete(sample_case, ["test"])
    after = tmp_path / "after" / "export"
    shutil.copytree(sample_export, after)
    database = after / "server" / "face_capture.db"
    with sqlite3.connect(database) as db:
        db.execute("pragma secure_delete = off")  # SQLite's default build; Debian's zeroes
        for deletion in listed.deletions:
            for statement in delete_statements(deletion):
                db.execute(statement)
    for item in listed.items:
        if item.action in ("delete_file", "delete_member"):
            (after.parent / item.location.file).unlink(missing_ok=True)
    return sample_case, listed, after, database


def test_plain_delete_leaves_items_recoverable_and_vacuum_makes_them_deleted(
    deleted_as_listed, sample_export: Path
) -> None:
    case, listed, after, database = deleted_as_listed
    data = database.read_bytes()
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        crops = dict(db.execute("select id, face_img from t_face_capture"))
    with zipfile.ZipFile(sample_export / "cloud" / "backup_20240316.zip") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}

    expected = {}
    for item in listed.items:
        if item.location.file.endswith("face_capture.db"):
            if item.state == "live":  # the deleted row's picture is still in the file
                assert _middle(crops[item.location.key_values[0]]) in data
            expected[item.number] = "still_recoverable"
        elif item.action == "delete_member":  # a byte copy of a row that is now in free pages
            assert _middle(members[item.location.member]) in data
            expected[item.number] = "still_recoverable"
        else:
            copied = _frame_copied_into_a_row(item.location.file)
            expected[item.number] = "still_recoverable" if copied else "deleted"
    assert "deleted" in expected.values()  # the two-person frame was never copied anywhere

    first = verify_deletion(case, [after], ScanOptions(workers=1), ["test"])
    states = {check["number"]: check["state"] for check in first.to_delete["items"]}
    assert states == expected
    assert first.clean is False

    with sqlite3.connect(database) as db:
        db.execute("vacuum")
    pdf = case.directory.parent / "after-report" / "after.pdf"
    run = CliRunner().invoke(
        app,
        ["verify-deletion", str(case.directory), str(after), "--workers", "1", "--json",
         "--out", str(pdf)],
    )
    assert run.exit_code == 0, run.output  # exit 1 while anything listed remains
    second = json.loads(run.output)["to_delete"]
    assert {check["number"]: check["state"] for check in second["items"]} == {
        item.number: "deleted" for item in listed.items
    }
    assert second["done"] and second["totals"]["deleted"] == len(listed.items)
    assert second["before"]["no_consent"]["recoverable"] == 4  # the sample's recoverable rows
    assert second["before_totals"] == {
        "live": sum(i.state == "live" for i in listed.items),
        "recoverable": sum(i.state == "recoverable" for i in listed.items),
    }
    text = "".join(pdf_text(pdf, layout=False).split())
    assert "删除前后对照" in text and "清单所列记录均已删除且不可恢复" in text


def test_a_place_no_after_source_covers_is_not_checked_not_deleted(deleted_as_listed) -> None:
    case, listed, _, database = deleted_as_listed
    with sqlite3.connect(database) as db:
        db.execute("vacuum")
    verdict = verify_deletion(case, [database], ScanOptions(workers=1), ["test"])
    states = {check["number"]: check["state"] for check in verdict.to_delete["items"]}
    for item in listed.items:
        on_server = item.location.file.endswith("face_capture.db")
        assert states[item.number] == ("deleted" if on_server else "not_checked")
    assert verdict.clean is False  # unchecked places are never called clean


def test_a_row_left_in_place_is_still_present(sample_case, sample_export: Path, tmp_path: Path) -> None:
    listed = make_to_delete(sample_case, ["test"])
    after = tmp_path / "after" / "export"
    shutil.copytree(sample_export, after)
    verdict = verify_deletion(sample_case, [after], ScanOptions(workers=1), ["test"])
    states = {check["number"]: check["state"] for check in verdict.to_delete["items"]}
    for item in listed.items:
        wanted = "still_recoverable" if item.state == "recoverable" else "still_present"
        assert states[item.number] == wanted, item.location.describe()


def test_custody_links_the_baseline_and_the_after_state(deleted_as_listed) -> None:
    from venue_audit.case import Case

    case, listed, after, _ = deleted_as_listed
    head_before = case.custody_events()[-1]["hash"]
    verdict = verify_deletion(case, [after], ScanOptions(workers=1), ["test"])
    event = case.custody_events()[-1]
    assert event["action"] == "verify-deletion"
    after_case = Case(verdict.after_case)
    after_events = after_case.custody_events()
    link = next(e for e in after_events if e["action"] == "verify-deletion.baseline")
    assert head_before in link["detail"] and listed.digest in link["detail"]
    assert after_events[-1]["hash"] in event["detail"] and listed.digest in event["detail"]
    assert after_case.verify_custody() == [] and case.verify_custody() == []

"""Device events linked to the capture records of the pictures their URLs name.

A generated venue: a receiver's log of Hikvision ISAPI ``faceCapture`` pushes and a Dahua
door terminal's ``_DoorFace_`` line (bodies as in tests/sources/test_device_events.py), the
pictures the receiver downloaded, a camera card's ``hiv00000.pic`` pack without its index, and
a Dahua SD card's snapshot folder. Hikvision picture URLs follow the public form
``/picture/Streaming/tracks/103/?name=ch0001_<29 digits>&size=<bytes>`` (e.g. code index ids
38232429864, 39073006366); the id's digits are written as venue_audit/scan/event_links.py reads
them (file number, byte offset, size).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.profiles.fixtures import crop, frame, write
from tests.sources.cctv_fixtures import Pack, Picture, hik_pack
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.sample_venue import decoy_picture
from venue_audit.scan import ScanOptions, scan
from venue_audit.scan.event_links import picture_id, picture_ref

CAMERA = "http://192.168.1.64"
ZONE = ZoneInfo("Asia/Shanghai")


def picture_url(channel: int, file_number: int, offset: int, size: int) -> str:
    name = f"ch{channel:04d}_0300{file_number:07d}{offset:010d}{size:08d}"
    return f"{CAMERA}/picture/Streaming/tracks/{channel}03/?name={name}&size={size}"


def face_capture(at: str, channel: int, faces: list[str], background: str) -> dict:
    """An ISAPI faceCapture body whose faces and background are given by URL."""
    return {
        "ipAddress": "192.168.1.64", "channelID": channel, "dateTime": at,
        "eventType": "faceCapture", "eventState": "active",
        "faceCapture": [{
            "targetAttrs": {"deviceChannel": channel, "faceTime": at, "bkgUrl": background},
            "faces": [{"faceId": 1960 + n,
                       "faceRect": {"height": 0.194, "width": 0.087, "x": 0.575, "y": 0.4},
                       "age": {"ageGroup": "middle"}, "gender": {"value": "male"},
                       "faceScore": 80 + n, "URL": url} for n, url in enumerate(faces)],
        }],
    }


@pytest.fixture(scope="module")
def venue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict]:
    base = tmp_path_factory.mktemp("event-links")
    root = base / "export"
    pictures = root / "receiver/pictures"
    write(pictures / "face_1960.jpg", crop("obama", 0))
    write(pictures / "bkg_091203.jpg", frame("obama", 0))
    write(pictures / "CH03_20250314083000.jpg", crop("rose_leslie", 0))
    write(pictures / "lobby_empty.jpg", decoy_picture("empty lobby"))
    write(root / "receiver/a/face_8.jpg", crop("biden", 1))
    write(root / "receiver/c/face_8.jpg", crop("rose_leslie", 1))
    write(root / "receiver/a/face_7.jpg", crop("kit_harington", 0))
    write(root / "receiver/b/face_7.jpg", crop("kit_harington", 1))
    write(root / "sdcard/snap/20250314/0930.jpg", crop("obama", 2))
    downloaded = picture_url(3, 9, 4096 * 7, 51234)
    name = downloaded.split("name=")[1].split("&")[0]
    write(pictures / f"{name}.jpg", crop("biden", 0))
    pack = Pack(1, [Picture(decoy_picture("card lead"), False, None),
                    Picture(crop("kit_harington", 1, copy="card"), True, None)])
    hik_pack(pack)
    write(root / "card/hiv00000.pic", pack.data)
    on_card = pack.pictures[1]
    in_pack = picture_url(2, 0, on_card.offset, len(on_card.data))
    lines = [
        face_capture("2025-03-14T09:12:03+08:00", 1, [f"{CAMERA}/picture/face_1960.jpg"],
                     f"{CAMERA}/picture/bkg_091203.jpg"),
        face_capture("2025-03-14T10:01:17+08:00", 2, [in_pack], f"{CAMERA}/picture/bkg_missing.jpg"),
        face_capture("2025-03-14T10:20:00+08:00", 3,
                     [f"{CAMERA}/picture/CH03_20250314083000.jpg", downloaded],
                     f"{CAMERA}/picture/lobby_empty.jpg"),
        face_capture("2025-03-14T10:30:00+08:00", 4, [f"{CAMERA}/pics/c/face_8.jpg"],
                     f"{CAMERA}/pics/face_7.jpg"),
    ]
    write(root / "receiver/isapi-alarm.log", "".join(
        f"2025-03-14 09:12:04 INFO alarm received: {json.dumps(body)}\n" for body in lines))
    write(root / "receiver/door.log", 'Code=_DoorFace_;action=Pulse;index=0;data={"RealUTC":'
          '1741950000,"Similarity":95,"SnapPath":"/mnt/sd/snap/20250314/0930.jpg","UserID":"7"}\n')
    case = Case.create(base / "case", CaseInfo("T-LINKS", "事件链接", ["甲", "乙"]))
    acquire(case, [root], workers=1)
    scan(case, ScanOptions(workers=1))
    return case, {"downloaded": downloaded, "in_pack": in_pack, "pack_offset": on_card.offset}


def links(case: Case) -> dict[str, dict]:
    return {row["url"].rsplit("/", 1)[-1] if "name=" not in row["url"] else row["url"]: row
            for row in case.db.query("select * from event_links order by id")}


def record(case: Case, tail: str) -> dict:
    rows = list(case.db.query(
        "select * from artifacts where record_key like ? order by id", [f"%{tail}"]))
    assert len(rows) == 1, tail
    return rows[0]


def test_a_url_naming_a_downloaded_picture_links_the_event_to_its_record(venue) -> None:
    case, _ = venue
    found = links(case)
    assert found["face_1960.jpg"]["status"] == "linked"
    assert found["face_1960.jpg"]["record_key"].endswith("receiver/pictures/face_1960.jpg")
    assert found["bkg_091203.jpg"]["record_key"].endswith("receiver/pictures/bkg_091203.jpg")
    assert found["face_1960.jpg"]["matched_by"] == "file name"


def test_the_linked_record_gets_the_events_time_and_channel(venue) -> None:
    case, _ = venue
    for tail in ("face_1960.jpg", "bkg_091203.jpg"):
        row = record(case, tail)
        assert datetime.fromisoformat(row["captured_at"]) == datetime(2025, 3, 14, 9, 12, 3,
                                                                      tzinfo=ZONE)
        assert row["captured_at_source"].startswith("device event (")
        assert "isapi-alarm.log line 1" in row["captured_at_source"]
        assert row["captured_at_offset"] == "stored"  # the push's time carries +08:00
        assert row["camera"] == "1"


def test_the_devices_face_box_and_attributes_are_kept_on_the_link(venue) -> None:
    case, _ = venue
    face = json.loads(links(case)["face_1960.jpg"]["attributes"])
    assert face == {"face id": 1960, "face box (0-1)": {"x": 0.575, "y": 0.4, "width": 0.087,
                                                        "height": 0.194},
                    "age group": "middle", "gender": "male", "face score": 80}
    background = json.loads(links(case)["bkg_091203.jpg"]["attributes"])
    assert background == {"faces": [face]}


def test_a_hikvision_picture_id_links_the_picture_carved_from_the_cards_pack(venue) -> None:
    case, truth = venue
    link = links(case)[truth["in_pack"]]
    assert link["status"] == "linked"
    assert link["record_key"].endswith(f"card/hiv00000.pic@{truth['pack_offset']}")
    assert link["matched_by"].startswith("Hikvision picture id: file hiv00000.pic")
    row = record(case, f"hiv00000.pic@{truth['pack_offset']}")
    assert (row["camera"], datetime.fromisoformat(row["captured_at"])) == (
        "2", datetime(2025, 3, 14, 10, 1, 17, tzinfo=ZONE))


def test_a_picture_downloaded_under_its_hikvision_id_is_linked_by_that_name(venue) -> None:
    case, truth = venue
    link = links(case)[truth["downloaded"]]
    assert (link["status"], link["matched_by"]) == ("linked", "file name")


def test_a_record_keeps_its_own_time_and_gets_only_the_channel(venue) -> None:
    case, _ = venue
    row = record(case, "CH03_20250314083000.jpg")
    assert links(case)["CH03_20250314083000.jpg"]["status"] == "linked"
    assert row["captured_at_source"] == "file_name"
    assert datetime.fromisoformat(row["captured_at"]) == datetime(2025, 3, 14, 8, 30, tzinfo=ZONE)
    assert row["camera"] == "3"


def test_the_longest_shared_folder_tail_decides_and_different_pictures_tied_are_ambiguous(
    venue,
) -> None:
    case, _ = venue
    found = links(case)
    assert found["face_8.jpg"]["record_key"].endswith("receiver/c/face_8.jpg")
    assert found["face_8.jpg"]["matched_by"] == "file name and 1 folder(s)"
    assert found["face_7.jpg"]["status"] == "ambiguous"
    assert found["face_7.jpg"]["record_key"] is None
    assert record(case, "receiver/a/face_7.jpg")["camera"] is None


def test_a_dahua_snapshot_path_links_the_sd_cards_picture(venue) -> None:
    case, _ = venue
    link = links(case)["0930.jpg"]
    assert link["record_key"].endswith("sdcard/snap/20250314/0930.jpg")
    assert link["matched_by"] == "file name and 2 folder(s)"
    assert json.loads(link["attributes"]) == {"person": "UserID 7", "similarity": 95}
    assert record(case, "sdcard/snap/20250314/0930.jpg")["camera"] == "1"


def test_urls_naming_no_evidence_or_a_faceless_file_stay_unlinked(venue) -> None:
    case, _ = venue
    found = links(case)
    assert (found["bkg_missing.jpg"]["status"], found["bkg_missing.jpg"]["record_key"]) == (
        "not in the evidence", None)
    empty = found["lobby_empty.jpg"]
    assert (empty["status"], empty["record_key"]) == ("evidence file without a detected face", None)
    path = case.db.execute("select path from evidence where id = ?",
                           [empty["evidence_id"]]).fetchone()[0]
    assert path.endswith("receiver/pictures/lobby_empty.jpg")


def test_linking_again_changes_nothing(venue) -> None:
    from venue_audit.scan.event_links import link_events

    case, _ = venue
    before = list(case.db.query("select * from event_links order by id"))
    assert set(link_events(case).values()) == {0}  # every event found something: none is redone
    assert list(case.db.query("select * from event_links order by id")) == before


def test_the_url_forms_are_read_as_the_module_says() -> None:
    ref = picture_ref(f"{CAMERA}/picture/Streaming/tracks/103/?name=ch0001_03000001329060946534400136268"
                      "&size=136268")
    assert ref.picture_id is not None
    assert (ref.picture_id.channel, ref.picture_id.file_number, ref.picture_id.offset,
            ref.picture_id.size) == (1, 1329, 609465344, 136268)
    assert picture_id("ch00001_00000000546040778598400609593").size == 609593
    assert picture_id("ch0001_123") is None
    assert picture_ref(r"D:\Pics\Snap\A.JPG").segments == ["d:", "pics", "snap", "a.jpg"]
    assert picture_ref("backup.zip!/day1/0001.jpg").segments == ["backup.zip", "day1", "0001.jpg"]


def test_the_report_timeline_says_which_device_events_are_linked(venue) -> None:
    from venue_audit.report.load import load_report_data

    case, _ = venue
    data = load_report_data(case)
    captures = [e for e in data.timeline.log_events if e.kind == "face capture"]
    assert sum(e.linked for e in captures) == 4  # events with a picture linked to a record
    assert sum(e.unlinked for e in captures) == 0  # every event named at least one found picture
    door = [e for e in data.timeline.log_events if e.kind == "door face recognition"]
    assert [(e.linked, e.unlinked) for e in door] == [(1, 0)]


def test_an_event_whose_pictures_are_not_in_the_evidence_is_unlinked_in_the_report(
    tmp_path: Path,
) -> None:
    from venue_audit.report.load import load_report_data

    root = tmp_path / "export"
    write(root / "isapi.log", json.dumps(face_capture(
        "2025-03-14T09:12:03+08:00", 1, [f"{CAMERA}/picture/gone.jpg"],
        f"{CAMERA}/picture/gone_bkg.jpg")) + "\n")
    case = Case.create(tmp_path / "case", CaseInfo("T-UNLINKED", "事件", ["甲", "乙"]))
    acquire(case, [root], workers=1)
    scan(case, ScanOptions(workers=1))
    statuses = [r["status"] for r in case.db.query("select status from event_links")]
    assert statuses == ["not in the evidence"] * 2
    from venue_audit.scan.event_links import link_events

    assert link_events(case)["not in the evidence"] == 2  # tried again: evidence may come later
    assert case.db.execute("select count(*) from event_links").fetchone()[0] == 2
    events = load_report_data(case).timeline.log_events
    assert [(e.kind, e.count, e.linked, e.unlinked) for e in events] == [("face capture", 1, 0, 1)]


def test_the_report_pdf_says_how_many_device_events_are_linked(venue, tmp_path: Path) -> None:
    from tests.pdf_reading import pdf_text
    from venue_audit.report.load import load_report_data
    from venue_audit.report.render import render_report

    case, _ = venue
    render_report(load_report_data(case), tmp_path / "report.pdf", lang="en")
    text = " ".join(pdf_text(tmp_path / "report.pdf", layout=False).split())
    assert ("Device face events (face capture): 4 events name a picture linked to a capture "
            "record of the evidence; 0 events name pictures none of which") in text

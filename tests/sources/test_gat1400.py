"""GA/T 1400 view-library face objects: pushed in logs, JSON lines, a notification, platform tables.

Generated as xiezhihui98/GAT1400 writes them (``FaceObject.java``, ``SubImageInfoObject.java``,
``FaceObjectList.java``; commit c855cd930490345d3c65a64e515b0b4fde49781c): field names with the
standard's misspellings, 48-digit FaceIDs and 41-digit image IDs, base64 JPEGs in ``Data``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.profiles.fixtures import b64, crop, frame, mysql_dump, pg_dump, sqlite_db, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.sample_venue import decoy_picture
from venue_audit.sources.gat1400 import compact_time, face_id_parts, field, image_id_parts

ZONE = ZoneInfo("Asia/Shanghai")
LOBBY = "31010400001320000001"  # 20-digit device codes (GA/T 1400.1)
GATE = "31010400001320000002"


def image_id(device: str, at: str, serial: int, kind: str = "02") -> str:
    return f"{device}{kind}{at}{serial:05d}"


def face_id(device: str, at: str, serial: int) -> str:
    return f"{image_id(device, at, serial)}06{serial:05d}"


def face_object(device: str, at: str | None, serial: int, face: bytes, scene: bytes | None,
                id_number: str | None = None, correct_spellings: bool = False) -> dict:
    stamp = "20250314" + (at or "000000")
    fid = face_id(device, stamp, serial)
    images = [{"ImageID": image_id(device, stamp, serial), "EventSort": 10, "DeviceID": device,
               "StoragePath": f"http://10.0.0.5/viid/{fid}_11.jpg", "Type": "11",
               "FileFormat": "Jpeg", "Width": "160", "Height": "200",
               "ShotTime": stamp if at else "", "Data": b64(face)}]
    if scene is not None:
        images.append({"ImageID": image_id(device, stamp, serial + 1), "EventSort": 10,
                       "DeviceID": device, "Type": "14", "FileFormat": "Jpeg", "Width": "640",
                       "Height": "360", "ShotTime": stamp if at else "", "Data": b64(scene)})
    obj = {"FaceID": fid, "InfoKind": 1, "SourceID": image_id(device, stamp, serial),
           "DeviceID": device, "LeftTopX": 212, "LeftTopY": 96, "RightBtmX": 372, "RightBtmY": 296,
           "IDNumber": id_number, "GenderCode": "1", "AgeUpLimit": 45, "AgeLowerLimit": 30,
           "SubImageList": {"SubImageInfoObject": images}}
    if at:
        obj["ShotTime"] = obj["FaceAppearTime"] = stamp
    if correct_spellings:
        obj["BodySpecialMark"], obj["SimilarityDegree"] = "1", "0.92"
    else:
        obj["BodySpeciallMark"], obj["Similaritydegree"] = "1", "0.92"
    return obj


def expected(at: str | None, device: str, person: str | None, images: int) -> tuple:
    when = datetime.fromisoformat(f"2025-03-14T{at[:2]}:{at[2:4]}:{at[4:]}" if at else
                                  "2025-03-14T00:00:00").replace(tzinfo=ZONE)
    return (when, device, person, images)


def build(root: Path) -> dict:
    truth: dict[str, list[tuple]] = {}
    # 1. a receiver's log: each POST body on one line, with a decoy object (no face anywhere)
    push = {"FaceListObject": {"FaceObject": [
        face_object(LOBBY, "091203", 1, crop("obama", 0), frame("obama", 0)),
        face_object(LOBBY, "091240", 3, decoy_picture("no one"), decoy_picture("lobby")),
    ]}}
    second = {"FaceListObject": {"FaceObject": [
        face_object(GATE, "101117", 5, crop("biden", 0), None, id_number="310101198001010011"),
    ]}}
    write(root / "viid/viid-receiver.log", "\n".join([
        "2025-03-14 09:12:04.118 INFO [http-nio-8120-exec-3] c.v.FaceController : POST /VIID/Faces "
        + json.dumps(push),
        "2025-03-14 09:12:04.130 INFO [http-nio-8120-exec-3] c.v.FaceController : 200 OK",
        "2025-03-14 10:11:18.001 INFO [http-nio-8120-exec-7] c.v.FaceController : POST /VIID/Faces "
        + json.dumps(second),
    ]) + "\n")
    truth["viid/viid-receiver.log"] = [
        expected("091203", LOBBY, None, 2), expected("101117", GATE, "310101198001010011", 1)]
    # 2. a subscriber's notification (a JSON document); the object's times are empty: FaceID's time
    notification = {"SubscribeNotificationListObject": {"SubscribeNotificationObject": [{
        "NotificationID": "1", "SubscribeID": "2", "Title": "faces", "TriggerTime": "20250314111500",
        "FaceObjectList": {"FaceObject": [
            face_object(GATE, None, 7, crop("kit_harington", 0), None, correct_spellings=True)]},
    }]}}
    write(root / "viid/notification-20250314.json", json.dumps(notification, ensure_ascii=False))
    truth["viid/notification-20250314.json"] = [expected(None, GATE, None, 1)]
    # 3. a platform's own table, SQLite and a mysqldump of it
    columns = ["id", "face_id", "device_id", "shot_time", "id_number", "face_data", "scene_data"]
    ddl = ("id INTEGER PRIMARY KEY, face_id TEXT, device_id TEXT, shot_time TEXT, id_number TEXT, "
           "face_data BLOB, scene_data BLOB")

    def rows(copy: int) -> list[list]:
        return [
            [1 + 10 * copy, face_id(LOBBY, "20250314120000", 9), LOBBY, "20250314120000", None,
             crop("rose_leslie", copy), frame("rose_leslie", copy)],
            [2 + 10 * copy, face_id(LOBBY, "20250314120500", 11), LOBBY, "20250314120500", None,
             decoy_picture(f"empty corridor {copy}"), None],
        ]

    sqlite_db(root / "platform/viid.db", [("t_face_capture", ddl, columns, rows(0))])
    dump_ddl = ddl.replace("INTEGER PRIMARY KEY", "int")
    write(root / "platform/viid.sql", mysql_dump([("t_face_capture", dump_ddl, columns, rows(1))]))
    platform = [expected("120000", LOBBY, None, 2)]
    truth["platform/viid.db"] = truth["platform/viid.sql"] = platform
    # 4. a receiver that keeps each push whole in a generic text column
    for form, write_store in PUSH_TABLE_FORMS.items():
        write_store(root / form, push_log_rows(form))
        truth[form] = PUSH_TABLE_TRUTH
    return truth


PUSH_LOG = ("t_push_log", "id INTEGER PRIMARY KEY, received_at TEXT, uri TEXT, body TEXT",
            ["id", "received_at", "uri", "body"])
PUSH_TABLE_TRUTH = [expected("131500", LOBBY, None, 2), expected("131502", GATE, None, 1),
                    expected("140000", GATE, None, 1)]
# where each true face object sits: (row, object index) of t_push_log
PUSH_TABLE_PLACES = [(1, 1), (1, 2), (3, 2)]


def push_log_rows(form: str) -> list[list]:
    """Row 1: a FaceListObject of two faces; row 2: a heartbeat (no faces); row 3: a logged
    request line holding a body whose first object is a decoy (no face in its pictures)."""
    copy = form  # each form's pictures differ by a JPEG comment: no exact duplicates across forms
    first = {"FaceListObject": {"FaceObject": [
        face_object(LOBBY, "131500", 21, crop("obama", 1, copy), frame("obama", 1)),
        face_object(GATE, "131502", 23, crop("biden", 1, copy), None),
    ]}}
    third = {"FaceListObject": {"FaceObject": [
        face_object(GATE, "135959", 25, decoy_picture(f"hall {form}"), None),
        face_object(GATE, "140000", 27, crop("kit_harington", 1, copy), None),
    ]}}
    return [
        [1, "2025-03-14 13:15:03", "/VIID/Faces", json.dumps(first, ensure_ascii=False)],
        [2, "2025-03-14 13:16:00", "/VIID/System/Keepalive",
         json.dumps({"KeepaliveObject": {"DeviceID": GATE}})],
        [3, "2025-03-14 14:00:01", "/VIID/Faces",
         "POST /VIID/Faces HTTP/1.1 " + json.dumps(third, ensure_ascii=False)],
    ]


def _push_sqlite(path: Path, rows: list[list]) -> None:
    sqlite_db(path, [(*PUSH_LOG, rows)])


def _push_mysql(path: Path, rows: list[list]) -> None:
    name, ddl, columns = PUSH_LOG
    write(path, mysql_dump([(name, ddl.replace("INTEGER PRIMARY KEY", "int").replace(
        "body TEXT", "body LONGTEXT"), columns, rows)]))


def _push_pg(path: Path, rows: list[list]) -> None:
    name, ddl, columns = PUSH_LOG
    write(path, pg_dump([(name, ddl.replace("INTEGER PRIMARY KEY", "integer"), columns, rows)]))


PUSH_TABLE_FORMS = {"receiver/push.db": _push_sqlite, "receiver/push-mysql.sql": _push_mysql,
                    "receiver/push-pg.sql": _push_pg}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("gat1400")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


FORMS = ["viid/viid-receiver.log", "viid/notification-20250314.json", "platform/viid.db",
         "platform/viid.sql", *PUSH_TABLE_FORMS]


@pytest.mark.parametrize("form", FORMS)
def test_each_face_object_is_one_record_with_its_crop_and_scene(scanned, form) -> None:
    store = scanned[0][form]
    truth = scanned[1][form]
    assert store.profile == "gat1400"
    assert (store.records, store.face_images) == (len(truth), sum(t[3] for t in truth))


@pytest.mark.parametrize("form", FORMS)
def test_times_cameras_and_person_keys_come_from_the_object(scanned, form) -> None:
    store = scanned[0][form]
    records: dict[str, dict] = {}
    for artifact in store.artifacts:
        records.setdefault(artifact["locator"].rsplit(", column", 1)[0], artifact)
    got = [(datetime.fromisoformat(a["captured_at"]), a["camera"], a["person_key"])
           for a in records.values()]
    assert got == [t[:3] for t in scanned[1][form]]


def test_decoy_objects_without_a_face_count_nothing(scanned) -> None:
    stores, truth = scanned
    assert sum(stores[f].records for f in FORMS) == sum(len(truth[f]) for f in FORMS)


def test_identifiers_decode_into_device_type_time_and_serial() -> None:
    fid = face_id(LOBBY, "20250314091203", 1)
    assert len(fid) == 48
    assert face_id_parts(fid) == {"device": LOBBY, "type": "02", "time": "20250314091203",
                                  "serial": "00001", "object_type": "06", "object_serial": "00001"}
    assert image_id_parts(fid[:41])["time"] == "20250314091203"
    assert face_id_parts("12345") is None and image_id_parts("x" * 41) is None
    assert compact_time("20250314091203") == "2025-03-14T09:12:03"
    assert compact_time("20251399999999") is None


def test_the_standards_misspellings_and_the_correct_spellings_are_both_read() -> None:
    assert field({"Similaritydegree": "0.9"}, "Similaritydegree") == "0.9"
    assert field({"SimilarityDegree": "0.8"}, "Similaritydegree") == "0.8"
    assert field({"BodySpeciallMark": "1"}, "BodySpeciallMark") == "1"
    assert field({"BodySpecialMark": "2"}, "BodySpeciallMark") == "2"


@pytest.mark.parametrize("form", list(PUSH_TABLE_FORMS))
def test_a_push_kept_whole_in_a_text_column_gives_one_record_per_face_object(scanned, form) -> None:
    """Located by table, row, column and object index; the heartbeat row and the decoy object
    count nothing, the scene picture is the first object's second image."""
    store = scanned[0][form]
    records: dict[str, list[dict]] = {}
    for artifact in store.artifacts:
        records.setdefault(artifact["locator"].rsplit(", column", 1)[0], []).append(artifact)
    places = [(int(p.split(", column body")[0].rsplit(" ", 1)[1]) if "rowid" in p else p,
               int(p.rsplit("FaceObject ", 1)[1])) for p in records]
    assert all(", table t_push_log, " in p and ", column body, FaceObject " in p for p in records)
    assert [n for _, n in places] == [n for _, n in PUSH_TABLE_PLACES]
    if form.endswith(".db"):
        assert places == PUSH_TABLE_PLACES
    assert [len(r) for r in records.values()] == [2, 1, 1]

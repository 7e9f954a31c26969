"""Device face events in receivers' logs: Hikvision ISAPI faceCapture, Dahua FaceRecognition and _DoorFace_.

Bodies follow what real devices push, as third-party receivers record them (code index ids
58405187966 for ISAPI faceCapture JSON, 5779106743 / 61428301946 for Dahua ``Code=…;data=``
lines, 56534330695 for _DoorFace_ data); see venue_audit/sources/device_events.py.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.profiles.fixtures import write
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan


def isapi_face_capture(at: str, channel: int, faces: int) -> dict:
    return {
        "ipAddress": "192.168.1.64", "portNo": 80, "protocol": "HTTP",
        "macAddress": "e0:ca:3c:ba:52:a0", "channelID": channel, "dateTime": at,
        "activePostCount": 1, "isDataRetransmission": False, "eventType": "faceCapture",
        "eventState": "active", "eventDescription": "faceCapture", "channelName": f"Camera 0{channel}",
        "faceCapture": [{
            "targetAttrs": {"deviceName": "IP CAMERA", "deviceChannel": channel,
                            "faceTime": at, "contentID": "backgroundImage",
                            "bkgUrl": f"http://192.168.1.64/picture/bkg_{at[11:19].replace(':', '')}.jpg"},
            "faces": [{"faceId": 1960 + n,
                       "faceRect": {"height": 0.194, "width": 0.087, "x": 0.575, "y": 0.4},
                       "age": {"range": 5, "value": 35, "ageGroup": "middle"},
                       "gender": {"value": "male"}, "faceScore": 80 + n,
                       "URL": f"http://192.168.1.64/picture/face_{1960 + n}.jpg"}
                      for n in range(faces)],
        }],
    }


DAHUA_RECOGNITION = """Code=FaceRecognition;action=Start;index=1;data={
   "Candidates" : [ { "Person" : { "Name" : "Zhang San", "UID" : "1024" }, "Similarity" : 94 } ],
   "Face" : { "BoundingBox" : [ 1420, 2100, 1850, 2600 ] },
   "UTC" : 1741946523
}"""
DAHUA_DOOR = ('Code=_DoorFace_;action=Pulse;index=0;data={"Alive":100,"Door":0,"RealUTC":1741950000,'
              '"Similarity":95,"SnapPath":"/mnt/sd/snap/20250314/0930.jpg","UserID":"22222"}')


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    base = tmp_path_factory.mktemp("device-events")
    root = base / "export"
    write(root / "receiver/isapi-alarm.log", "\n".join([
        "2025-03-14 09:12:04 INFO alarm received: " + json.dumps(isapi_face_capture(
            "2025-03-14T09:12:03+08:00", 1, 2)),
        "2025-03-14 09:12:05 INFO heartbeat ok",
        "2025-03-14 10:01:17 INFO alarm received: " + json.dumps(isapi_face_capture(
            "2025-03-14T10:01:17+08:00", 2, 1)),
        "2025-03-14 10:05:00 INFO alarm received: <EventNotificationAlert version=\"2.0\" "
        "xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><ipAddress>192.168.1.65</ipAddress>"
        "<channelID>3</channelID><dateTime>2025-03-14T10:05:00+08:00</dateTime>"
        "<eventType>faceSnap</eventType><eventState>active</eventState></EventNotificationAlert>",
    ]) + "\n")
    write(root / "receiver/dahua-events.log", "\n".join([
        "--myboundary", "Content-Type: text/plain", "", DAHUA_RECOGNITION, "--myboundary",
        "Content-Type: text/plain", "", DAHUA_DOOR, "--myboundary",
        "Code=VideoMotion;action=Start;index=0",
    ]) + "\n")
    made = Case.create(base / "case", CaseInfo("T-EVENTS", "事件", ["甲", "乙"]))
    acquire(made, [root], workers=1)
    scan(made, ScanOptions(workers=1))
    return made


def events(case: Case, name: str) -> list[dict]:
    return list(case.db.query(
        "select t.* from timeline_events t join stores s on s.id = t.store_id"
        " where s.locator like ? order by t.id", [f"%{name}"]))


def test_each_isapi_face_capture_is_a_timeline_event_with_its_channel_and_faces(case) -> None:
    got = [(e["action"], datetime.fromisoformat(e["at"]), e["camera"], e["count"])
           for e in events(case, "isapi-alarm.log")]
    assert got == [
        ("face capture", datetime.fromisoformat("2025-03-14T09:12:03+08:00"), "1", 2),
        ("face capture", datetime.fromisoformat("2025-03-14T10:01:17+08:00"), "2", 1),
        ("face capture", datetime.fromisoformat("2025-03-14T10:05:00+08:00"), "3", 1),
    ]
    first = events(case, "isapi-alarm.log")[0]
    assert json.loads(first["files"]) == [
        "http://192.168.1.64/picture/bkg_091203.jpg", "http://192.168.1.64/picture/face_1960.jpg",
        "http://192.168.1.64/picture/face_1961.jpg"]
    assert "age middle" in first["text"] and "gender male" in first["text"]


def test_dahua_recognitions_and_door_faces_are_events_with_similarity(case) -> None:
    got = [(e["action"], e["at"], e["camera"]) for e in events(case, "dahua-events.log")]
    assert got == [
        ("face recognition", "2025-03-14T10:02:03+00:00", "2"),
        ("door face recognition", "2025-03-14T11:00:00+00:00", "1"),
    ]
    recognition, door = events(case, "dahua-events.log")
    assert "UID 1024" in recognition["text"] and "similarity 94" in recognition["text"]
    assert "UserID 22222" in door["text"] and "similarity 95" in door["text"]
    assert json.loads(door["files"]) == ["/mnt/sd/snap/20250314/0930.jpg"]


def test_events_are_timeline_entries_not_face_records(case) -> None:
    assert count_faces(case).records == 0
    stores = {r["locator"].rsplit("/", 1)[1]: r for r in case.db.query("select * from stores")}
    assert stores["dahua-events.log"]["kind"] == "device-events"
    assert json.loads(stores["isapi-alarm.log"]["details"])["events"] == {"face capture": 4}


def test_the_report_timeline_shows_the_device_events(case) -> None:
    from venue_audit.report.load import load_report_data

    data = load_report_data(case)
    kinds = {(e.date, e.kind, e.count) for e in data.timeline.log_events}
    assert kinds == {("2025-03-14", "face capture", 4), ("2025-03-14", "face recognition", 1),
                     ("2025-03-14", "door face recognition", 1)}

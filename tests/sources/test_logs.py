"""Logs: the daily pack → upload → delete routine becomes a timeline; nothing else does."""

from __future__ import annotations

import base64
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sources.items import head_of, item_from_bytes, of_type, read_all, tables
from venue_audit.sources.base import Item, LogEvent, Problem, StoreFound, TableRows
from venue_audit.sources.logs import FaceTransferLogReader, events_in_line, timestamp


def qingpu_log(days: int = 5) -> tuple[str, list[tuple[str, str, int | None, str | None]]]:
    """A server's cron log: each night it packs the day's captures, uploads and deletes them.

    Returns the text and the true events (time, action, count, remote).
    """
    rng = random.Random(9)
    lines: list[str] = []
    truth: list[tuple[str, str, int | None, str | None]] = []
    for day in range(1, days + 1):
        date = f"2024-03-{day:02d}"
        n = rng.randint(800, 2000)
        lines.append(f"{date} 01:59:58 INFO  nginx reloaded, 12 workers")
        lines.append(f"{date} 02:00:01 INFO  packed {n} face images into faces_2024030{day}.zip")
        truth.append((f"{date}T02:00:01", "pack", n, None))
        lines.append(f"{date} 02:03:10 INFO  上传 faces_2024030{day}.zip 到 oss://venue-bak/qingpu/ 成功，共 {n} 张")
        truth.append((f"{date}T02:03:10", "upload", n, "oss://venue-bak/qingpu/"))
        lines.append(f"{date} 02:03:11 INFO  删除本地抓拍目录 /data/capture/2024030{day}/ ({n} files)")
        truth.append((f"{date}T02:03:11", "delete", n, None))
        lines.append(f"{date} 02:05:00 DEBUG heartbeat ok, disk 41% used")
    return "\n".join(lines) + "\n", truth


def test_the_daily_routine_becomes_one_event_per_action_with_time_count_and_remote() -> None:
    text, truth = qingpu_log()
    item = item_from_bytes("uploader.log", text.encode())
    reader = FaceTransferLogReader()
    assert reader.claims(item, head_of(item))
    found = read_all(reader, item)
    events = of_type(found, LogEvent)
    assert [(e.at, e.action, e.count, e.remote) for e in events] == truth
    first, store = of_type(found, StoreFound)
    assert first.kind == store.kind == "log"
    assert found[0] is first and found[-1] is store, "summary first, and complete at the end"
    assert store.details["events"] == {"pack": 5, "upload": 5, "delete": 5}
    assert store.details["days_with_events"] == 5
    assert store.details["first"] == "2024-03-01T02:00:01"
    assert store.details["remotes"] == ["oss://venue-bak/qingpu/"]
    assert events[0].files == ["faces_20240301.zip"]
    assert events[2].files == ["/data/capture/20240301"]
    assert events[0].locator == "evidence/uploader.log line 2"
    assert of_type(found, Problem) == []


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Mar 15 02:00:01 nvr CRON[811]: tar czf /backup/faces_0315.tgz /data/faces && "
         "scp /backup/faces_0315.tgz root@10.0.0.9:/srv/ && rm -rf /data/faces/0315",
         [("pack", "2023-03-15T02:00:01"), ("upload", "2023-03-15T02:00:01"),
          ("delete", "2023-03-15T02:00:01")]),
        ("2024-03-15T02:10:00.5+08:00 rsync -av /data/snap/ backup@nas.local:/faces/ "
         "Number of regular files transferred: 1,234",
         [("upload", "2024-03-15T02:10:00.500000+08:00")]),
        ("[15/Mar/2024:02:11:00 +0800] \"PUT https://cos.example.com/faces/a.jpg HTTP/1.1\" 200",
         [("upload", "2024-03-15T02:11:00+08:00")]),
        ("2024年3月15日 02:12:00 人脸图片已删除 356 张", [("delete", "2024-03-15T02:12:00")]),
        ("curl -T faces_0315.zip ftp://203.0.113.5/in/", [("upload", None)]),
        ("ossutil64 cp -r /data/抓拍/ oss://bucket/x/", [("upload", None)]),
        ("2024-03-15 02:00:00 removed 12 face snapshots older than 30 days", [("delete", "2024-03-15T02:00:00")]),
    ],
)
def test_actions_times_and_languages(line: str, expected: list[tuple[str, str | None]]) -> None:
    events = events_in_line(line, year_hint=2023)
    assert [(e.action, e.at) for e in events] == expected


@pytest.mark.parametrize(
    "line",
    [
        "2024-03-15 02:00:01 deleted 3 temp files from /tmp/build",  # not face data
        "2024-03-15 02:00:01 user admin logged in from 10.0.0.2",
        "To upload faces, run the script in the tools folder.",  # prose: nothing concrete
        "2024-03-15 02:00:01 face engine started",  # face data, but no action
    ],
)
def test_lines_not_about_moving_face_data_are_ignored(line: str) -> None:
    assert events_in_line(line) == []


def test_counts_remote_hosts_and_files() -> None:
    [event] = events_in_line("2024-03-15 02:00:01 uploaded 1,500 photos to host=backup.example.cn")
    assert (event.count, event.remote) == (1500, "backup.example.cn")
    [event] = events_in_line("2024-03-15 02:00:01 scp capture_0315.zip admin@192.168.1.20:/data/")
    assert event.remote == "admin@192.168.1.20:/data/"
    assert event.files == ["capture_0315.zip"]


def test_syslog_year_comes_from_the_file_time() -> None:
    assert timestamp("Mar 15 02:00:01 host x", 2024) == "2024-03-15T02:00:01"
    assert timestamp("Mar 15 02:00:01 host x", None) is None
    data = b"Mar 15 02:00:01 nvr cron: packed 20 faces into f.zip\n"
    item = Item("evidence/syslog", "syslog", "text", len(data), lambda: data,
                lambda: __import__("io").BytesIO(data), mtime="2024-04-01T00:00:00+00:00")
    [event] = of_type(read_all(FaceTransferLogReader(), item), LogEvent)
    assert event.at == "2024-03-15T02:00:01"


def test_claims_only_text_that_holds_such_lines() -> None:
    reader = FaceTransferLogReader()
    readme = item_from_bytes(
        "README.txt", b"Face gate exports\n\nTo upload faces, run upload.sh and then delete them.\n")
    other_log = item_from_bytes("nginx.log", b"2024-03-15 10.0.0.1 GET /index.html 200\n" * 100)
    history = item_from_bytes(
        ".bash_history",
        b"ls\ntar czf faces.tgz /data/faces\nscp faces.tgz root@1.2.3.4:/x\nrm -rf /data/faces\n")
    late = item_from_bytes("app.log", b"2024-03-15 02:00:00 started\n" * 1000
                           + b"2024-03-15 02:00:01 uploaded 5 face images to https://x.cn/u\n")
    assert not reader.claims(readme, head_of(readme))
    assert not reader.claims(other_log, head_of(other_log))
    assert reader.claims(history, head_of(history))
    assert reader.claims(late, head_of(late)), "peeks past the 512-byte head"
    assert not reader.claims(item_from_bytes("faces.csv", b"a,b\n"), b"a,b\n")


def test_gbk_log_lines_are_decoded() -> None:
    line = "2024-03-15 02:00:01 上传人脸照片 20 张 到 10.1.1.1".encode("gbk")
    found = read_all(FaceTransferLogReader(), item_from_bytes("gbk.log", line + b"\n"))
    [event] = of_type(found, LogEvent)
    assert (event.action, event.count, event.remote) == ("upload", 20, "10.1.1.1")


def test_over_long_line_is_reported_and_the_rest_is_read() -> None:
    text, truth = qingpu_log(days=2)
    data = b"x" * 5000 + b"\n" + text.encode()
    found = read_all(FaceTransferLogReader(line_limit=1000), item_from_bytes("u.log", data))
    assert len(of_type(found, LogEvent)) == len(truth)
    assert [p.locator for p in of_type(found, Problem)] == ["evidence/u.log line 1"]


# --- ZKTeco ADMS push log --------------------------------------------------------------------


def adms_log() -> tuple[bytes, dict[str, list[dict[str, str]]]]:
    """formats.md §10.3: raw POST bodies of a SpeedFace device."""
    rng = random.Random(4)
    truth: dict[str, list[dict[str, str]]] = {"BIOPHOTO": [], "BIODATA": [], "FACE": []}
    lines = ["2024-03-15 09:00:00 POST /iclock/cdata?SN=CKJX201&table=BIODATA"]
    for pin in range(1001, 1005):
        jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + rng.randbytes(300)).decode()
        photo = {"PIN": str(pin), "Type": "9", "Size": str(len(jpeg)), "Content": jpeg}
        truth["BIOPHOTO"].append(photo)
        lines.append("BIOPHOTO " + "\t".join(f"{k}={v}" for k, v in photo.items()))
        tmp = base64.b64encode(rng.randbytes(2048)).decode()
        bio = {"Pin": str(pin), "No": "0", "Index": "0", "Valid": "1", "Duress": "0",
               "Type": "9" if pin != 1004 else "1", "MajorVer": "58", "MinorVer": "7",
               "Format": "0", "Tmp": tmp}
        truth["BIODATA"].append(bio)
        lines.append("BIODATA " + "\t".join(f"{k}={v}" for k, v in bio.items()))
    face = {"PIN": "1002", "FID": "0", "SIZE": "1000", "VALID": "1",
            "TMP": base64.b64encode(rng.randbytes(750)).decode()}
    truth["FACE"].append(face)
    lines.append("FACE " + "\t".join(f"{k}={v}" for k, v in face.items()))
    return ("\n".join(lines) + "\n").encode(), truth


def test_adms_push_records_become_one_table_per_record_type() -> None:
    data, truth = adms_log()
    item = item_from_bytes("adms_push.log", data)
    reader = FaceTransferLogReader()
    assert reader.claims(item, head_of(item))
    found = read_all(reader, item)
    assert of_type(found, StoreFound)[-1].details["adms_records"] == ["BIODATA", "BIOPHOTO", "FACE"]
    got = tables(found)
    for record_type, records in truth.items():
        table = next(t for t in of_type(found, TableRows) if t.table == record_type)
        assert table.columns == list(records[0])
        assert got[record_type] == [list(record.values()) for record in records]
    biophoto = next(t for t in of_type(found, TableRows) if t.table == "BIOPHOTO")
    assert biophoto.rows[0][0] == "line 2"


def test_a_long_line_is_analysed_by_its_beginning_only() -> None:
    blob = base64.b64encode(random.Random(1).randbytes(300_000)).decode()
    line = f"2024-03-15 02:00:01 uploaded face.jpg to 10.0.0.1 payload={blob}"
    [event] = events_in_line(line)
    assert (event.action, event.files, event.remote) == ("upload", ["face.jpg"], "10.0.0.1")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "2024-03-15 02:00:01 ", "Mar 15 02:00:01 ", "上传", "删除", "打包", "face", "人脸", "faces.zip ",
    "rm -rf /data/capture ", "scp x.jpg root@1.2.3.4:/ ", "12 张", "\n", "\t", "BIOPHOTO PIN=1",
    "\tContent=", "\xff", "oss://b/ ", "1,234 files",
]), max_size=30))
def test_any_jumble_of_log_text_yields_only_events_rows_and_problems(pieces: list[str]) -> None:
    data = "".join(pieces).encode("utf-8", "surrogateescape")
    found = read_all(FaceTransferLogReader(line_limit=100), item_from_bytes("j.log", data))
    assert all(isinstance(f, StoreFound | LogEvent | TableRows | Problem) for f in found)
    assert all(e.locator.startswith("evidence/j.log line ") for e in of_type(found, LogEvent))

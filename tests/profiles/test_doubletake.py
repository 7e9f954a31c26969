"""Double Take: match frames named and timed by database.db (SQLite, or its ``.dump``), train folders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.profiles.fixtures import crop, frame, sqlite_db, sqlite_text_dump, uuids, write
from tests.profiles.scanning import StoreView, scan_tree

DDL = [
    ("file", "id INTEGER PRIMARY KEY AUTOINCREMENT, name, filename, meta JSON, isActive INTEGER, "
     "createdAt TIMESTAMP, UNIQUE(name, filename)", ["name", "filename", "meta", "isActive", "createdAt"]),
    ("train", "id INTEGER PRIMARY KEY AUTOINCREMENT, fileId INTEGER, name, filename, detector, meta JSON, "
     "createdAt TIMESTAMP, UNIQUE(fileId, detector)",
     ["fileId", "name", "filename", "detector", "meta", "createdAt"]),
    ("match", "id INTEGER PRIMARY KEY AUTOINCREMENT, filename, event JSON, response JSON, "
     "createdAt TIMESTAMP", ["filename", "event", "response", "createdAt"]),
]


def response(name: str, matched: bool, file_name: str) -> str:
    return json.dumps([{
        "detector": "compreface", "duration": 0.4, "attempt": 1, "filename": file_name,
        "results": [{"name": name, "confidence": 97.2 if matched else 62.1, "match": matched,
                     "box": {"top": 40, "left": 80, "width": 90, "height": 110}}],
    }])


def instance(root: Path, storage: str, seed: int, database: str) -> list[tuple[str | None, str]]:
    """One Double Take storage folder; returns (person, createdAt) per saved match frame."""
    ids = uuids(seed)
    plan = [("obama", True, "obama", seed), ("unknown", False, "biden", seed % 2)]
    matches, expected = [], []
    for n, (name, matched, who, index) in enumerate(plan):
        file_name = f"{next(ids)}.jpg"
        created = f"2024-0{seed}-1{n}T08:1{n}:3{n}.000Z"
        write(root / storage / "matches" / file_name, frame(who, index))
        event = {"type": "frigate", "id": f"17300{seed}0000.1-abc12{n}", "camera": "lobby",
                 "label": "person", "zones": []}
        matches.append([file_name, json.dumps(event), response(name, matched, file_name), created])
        expected.append((name if matched else None, created))
    write(root / storage / "train" / "obama" / f"obama-{seed}.jpg", crop("obama", seed, copy=storage))
    files = [["obama", f"obama-{seed}.jpg", "{}", 1, "2024-01-05T10:00:00.000Z"]]
    trains = [[1, "obama", f"obama-{seed}.jpg", "compreface", "{}", "2024-01-05T10:00:01.000Z"]]
    spec = [(n, d, c, r) for (n, d, c), r in zip(DDL, [files, trains, matches], strict=True)]
    if database.endswith(".db"):
        sqlite_db(root / storage / database, spec)
    else:
        scratch = root.parent / f"scratch-{seed}.db"
        sqlite_db(scratch, spec)
        write(root / storage / database, sqlite_text_dump(scratch))
    return expected


FORMS = {"double-take/.storage": "database.db", "double-take-dump/.storage": "database.sql"}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("doubletake")
    root = base / "export"
    truth = {
        storage: instance(root, storage, seed, database)
        for seed, (storage, database) in enumerate(FORMS.items(), 1)
    }
    return scan_tree(base, root), truth


@pytest.mark.parametrize("storage", FORMS)
def test_the_database_is_named_double_take_and_holds_no_face_data_itself(scanned, storage) -> None:
    database = scanned[0][f"{storage}/{FORMS[storage]}"]
    assert (database.profile, database.records) == ("double-take", 0)


@pytest.mark.parametrize("storage", FORMS)
def test_match_frames_take_the_recognised_name_and_time_from_the_match_row(scanned, storage) -> None:
    stores, truth = scanned
    frames = stores[f"{storage}/matches"]
    assert (frames.profile, frames.records, frames.face_images) == ("double-take", 2, 2)
    got = [(a["person_key"], datetime.fromisoformat(a["captured_at"])) for a in frames.artifacts]
    expected = [(p, datetime.fromisoformat(t.replace("Z", "+00:00"))) for p, t in truth[storage]]
    assert sorted(got, key=lambda g: g[1]) == expected
    assert {a["captured_at_source"] for a in frames.artifacts} == {"double-take match createdAt"}


@pytest.mark.parametrize("storage", FORMS)
def test_training_images_are_keyed_by_their_folder_name_and_timed_by_their_file_row(
    scanned, storage
) -> None:
    train = scanned[0][f"{storage}/train/obama"]
    assert (train.profile, train.records, train.face_images) == ("double-take", 1, 1)
    [image] = train.artifacts
    assert image["person_key"] == "obama"
    assert datetime.fromisoformat(image["captured_at"]) == datetime.fromisoformat(
        "2024-01-05T10:00:00+00:00")
    assert image["captured_at_source"] == "double-take file createdAt"

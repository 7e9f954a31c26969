"""Frigate: face library and train folders, frigate.db events (SQLite and its ``.dump`` text)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.profiles.fixtures import b64, sqlite_db, sqlite_text_dump, webp, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.faces import EMBEDDING_SPACE

FACES = "frigate/media/frigate/clips/faces"
FORMS = ["frigate/config/frigate.db", "frigate/backup/frigate-db.sql"]


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def events(start: float, quality: int) -> tuple[list, list]:
    """Two person events (one recognised as obama) with thumbnails, one car event (a decoy)."""
    rows, expected = [], []
    for n, (label, sub_label, who) in enumerate(
        [("person", "obama", "obama"), ("person", None, "rose_leslie"), ("car", None, "biden")]
    ):
        t = start + 600 * n
        event_id = f"{t:.6f}-{'abcdef'[n] * 6}"
        data = {"box": [0.1, 0.2, 0.3, 0.6], "score": 0.8, "top_score": 0.85, "type": "object"}
        rows.append([event_id, label, sub_label, "lobby", t, t + 12.5, 0.85, 0,
                     b64(webp(who, n, quality)), json.dumps(data)])
        if label == "person":
            expected.append((sub_label, at(t)))
    spec = [("event", "id VARCHAR(30) PRIMARY KEY, label VARCHAR(20), sub_label VARCHAR(100), "
             "camera VARCHAR(20), start_time DATETIME, end_time DATETIME, top_score REAL, "
             "false_positive INTEGER, thumbnail TEXT, data JSON",
             ["id", "label", "sub_label", "camera", "start_time", "end_time", "top_score",
              "false_positive", "thumbnail", "data"], rows)]
    return spec, expected


def build(root: Path) -> dict:
    library = {
        "obama": [("obama_1730000000.123456.webp", 0), ("obama-1730000900.5.webp", 1)],
        "biden": [("biden_1730001800.25.webp", 0)],
    }
    for name, files in library.items():
        for file_name, index in files:
            write(root / FACES / name / file_name, webp(name, index))
    train = [
        ("1731000000.100000-k3j9xq", 1731000001.75, "obama", 0.93, "obama", 2),
        ("1731000500.200000-p0w2zz", 1731000502.5, "unknown", 0.62, "rose_leslie", 0),
        ("1731000900.300000-a1b2c3", 1731000903.0, "obama", 0.88, "obama", 0),
    ]
    for event_id, t, label, score, who, index in train:
        write(root / FACES / "train" / f"{event_id}-{t}-{label}-{score}.webp", webp(who, index, 80))
    spec, db_truth = events(1732000000.0, 70)
    sqlite_db(root / FORMS[0], spec)
    spec, dump_truth = events(1733000000.0, 75)
    scratch = root.parent / "scratch.db"
    sqlite_db(scratch, spec)
    write(root / FORMS[1], sqlite_text_dump(scratch))
    return {
        "library": {f"{FACES}/{n}": [(n, at(float(f.rsplit("_", 1)[-1].rsplit("-", 1)[-1][:-5])))
                                     for f, _ in files] for n, files in library.items()},
        "train": [(None if label == "unknown" else label, at(t)) for _, t, label, *_ in train],
        FORMS[0]: db_truth,
        FORMS[1]: dump_truth,
    }


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("frigate")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


def _people_and_times(store: StoreView) -> list[tuple[str | None, datetime]]:
    return [(a["person_key"], datetime.fromisoformat(a["captured_at"])) for a in store.artifacts]


def test_library_folders_give_the_name_and_the_unix_time_of_each_enrolled_face(scanned) -> None:
    stores, truth = scanned
    for folder, expected in truth["library"].items():
        store = stores[folder]
        assert (store.profile, store.records, store.face_images) == ("frigate", len(expected), len(expected))
        assert sorted(_people_and_times(store), key=lambda p: p[1]) == expected
        assert all(a["spaces"] == [EMBEDDING_SPACE] for a in store.artifacts)


def test_train_attempts_give_label_and_attempt_time_and_unknown_has_no_person(scanned) -> None:
    stores, truth = scanned
    store = stores[f"{FACES}/train"]
    assert (store.profile, store.records, store.face_images) == ("frigate", 3, 3)
    assert _people_and_times(store) == truth["train"]
    assert {a["captured_at_source"] for a in store.artifacts} == {"file_name_unix (frigate)"}


@pytest.mark.parametrize("form", FORMS)
def test_person_event_thumbnails_count_and_the_car_does_not(scanned, form) -> None:
    stores, truth = scanned
    store = stores[form]
    assert (store.profile, store.records, store.face_images, store.face_templates) == (
        "frigate", 2, 2, 0)
    assert _people_and_times(store) == truth[form]

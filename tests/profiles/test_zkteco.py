"""ZKTeco: BioTime database (pg_dump and SQLite), biophoto files and an ADMS push log."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.profiles.fixtures import b64, crop, pg_dump, sqlite_db, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.consent.timestamps import zone

FORMS = ["biotime/biotime.sql", "biotime/biotime.sqlite"]
TZ = "Asia/Shanghai"
EMPLOYEES = {1: "1001", 2: "1002", 3: "1003", 4: "1004"}
WHO = {"1001": "obama", "1002": "biden", "1003": "rose_leslie", "1004": "kit_harington"}


def tables(seed: int) -> tuple[list, list]:
    """4 visible-light face templates (2 in BioTime's JSON form), 1 near-infrared, 3 fingerprints."""
    rng = np.random.default_rng(seed)
    biodata, expected = [], []
    plan = [(1, 9, False), (2, 9, True), (3, 9, False), (4, 9, True), (1, 2, False),
            (1, 1, False), (2, 1, False), (3, 1, False)]
    for n, (employee, bio_type, as_json) in enumerate(plan, 1):
        template = b64(rng.bytes(2048 if bio_type != 1 else 1024))
        stored = json.dumps({"0": template}) if as_json else template
        updated = f"2024-05-{n:02d} 09:3{n % 10}:00"
        biodata.append([n, employee, stored, 0, 0, bio_type, "58", "7", 0, 1, 0, updated, "CN-SPD-01"])
        if bio_type in (2, 9):
            expected.append((str(employee), updated, bio_type))
    employees = [[i, code, WHO[code], ""] for i, code in EMPLOYEES.items()]
    photos = [[i, "2024-05-01 09:00:00", f"files/biophoto/{EMPLOYEES[i]}.jpg", "2024-05-01 09:00:00", i]
              for i in (1, 2, 3)]
    spec = [
        ("iclock_biodata", "id integer NOT NULL, employee_id integer NOT NULL, bio_tmp text NOT NULL, "
         "bio_no integer, bio_index integer, bio_type integer NOT NULL, major_ver character varying(10), "
         "minor_ver character varying(10), bio_format integer, valid integer, duress integer, "
         "update_time timestamp without time zone, sn character varying(50)",
         ["id", "employee_id", "bio_tmp", "bio_no", "bio_index", "bio_type", "major_ver", "minor_ver",
          "bio_format", "valid", "duress", "update_time", "sn"], biodata),
        ("iclock_biophoto", "id integer NOT NULL, create_time timestamp without time zone, "
         "register_photo character varying(200) NOT NULL, register_time timestamp without time zone, "
         "employee_id integer NOT NULL",
         ["id", "create_time", "register_photo", "register_time", "employee_id"], photos),
        ("personnel_employee", "id integer NOT NULL, emp_code character varying(20), "
         "first_name character varying(25), last_name character varying(25)",
         ["id", "emp_code", "first_name", "last_name"], employees),
    ]
    return spec, expected


def push_log() -> str:
    rng = np.random.default_rng(77)
    lines = [
        "USER PIN=1001\tName=obama\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000100000000\tVerify=0",
        "USER PIN=1002\tName=biden\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000100000000\tVerify=0",
    ]
    for pin, who, index in (("1001", "obama", 2), ("1002", "biden", 1)):
        content = b64(crop(who, index, copy="adms"))
        lines.append(f"BIOPHOTO PIN={pin}\tType=9\tSize={len(content)}\tContent={content}")
    for pin, kind in (("1001", 9), ("1002", 9), ("1001", 1), ("1002", 1)):
        tmp = b64(rng.bytes(2048 if kind == 9 else 1024))
        lines.append(f"BIODATA Pin={pin}\tNo=0\tIndex=0\tValid=1\tDuress=0\tType={kind}\tMajorVer=58"
                     f"\tMinorVer=7\tFormat=0\tTmp={tmp}")
    tmp = b64(rng.bytes(1500))
    lines.append(f"FACE PIN=1003\tFID=0\tSIZE={len(tmp)}\tVALID=1\tTMP={tmp}")
    return "\n".join(lines) + "\n"


def build(root: Path) -> dict:
    spec, dump_truth = tables(seed=1)
    write(root / FORMS[0], pg_dump(spec))
    spec, sqlite_truth = tables(seed=2)
    sqlite_db(root / FORMS[1], spec)
    for code in ("1001", "1002", "1003"):
        write(root / "biotime/files/biophoto" / f"{code}.jpg", crop(WHO[code], 0, copy="biophoto"))
    write(root / "adms/adms_push.log", push_log())
    return {FORMS[0]: dump_truth, FORMS[1]: sqlite_truth}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("zkteco")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


@pytest.mark.parametrize("form", FORMS)
def test_face_templates_count_and_fingerprints_do_not(scanned, form) -> None:
    store = scanned[0][form]
    assert (store.profile, store.records, store.face_templates, store.face_images) == (
        "zkteco-biotime", 5, 5, 0)
    assert store.spaces == []  # opaque vendor templates are counted, never clustered


@pytest.mark.parametrize("form", FORMS)
def test_templates_name_their_kind_and_read_employee_and_local_time(scanned, form) -> None:
    stores, truth = scanned
    got = [(a["person_key"], datetime.fromisoformat(a["captured_at"]), a["model_guess"])
           for a in stores[form].artifacts]
    local = zone(TZ)
    assert [(p, t) for p, t, _ in got] == [
        (p, datetime.fromisoformat(t).replace(tzinfo=local)) for p, t, _ in truth[form]
    ]
    kinds = ["visible-light" if k == 9 else "near-infrared" for *_, k in truth[form]]
    assert all(kind in model for (_, _, model), kind in zip(got, kinds, strict=True))


def test_biophoto_files_are_keyed_by_emp_code(scanned) -> None:
    photos = scanned[0]["biotime/files/biophoto"]
    assert (photos.profile, photos.records, photos.face_images) == ("zkteco-biotime", 3, 3)
    assert sorted(a["person_key"] for a in photos.artifacts) == ["1001", "1002", "1003"]


def test_push_log_photos_and_face_templates_count_and_fingerprint_lines_do_not(scanned) -> None:
    log = scanned[0]["adms/adms_push.log"]
    assert (log.profile, log.records, log.face_images, log.face_templates) == (
        "zkteco-adms", 5, 2, 3)
    assert sorted(a["person_key"] for a in log.artifacts) == ["1001", "1001", "1002", "1002", "1003"]

"""faces.csv and contact sheets: a court can check "N persons" picture by picture."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import TEST_FACES, snapshot
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.identify import identify
from venue_audit.report.evidence_images import evidence_thumbnail_source
from venue_audit.report.person_annexes import (
    FACES_COLUMNS,
    FACES_NAME,
    SHEET_PREFIX,
    TILE,
    write_person_annexes,
)
from venue_audit.report.redact import high_frequency_energy
from venue_audit.scan import ScanOptions, scan

PHOTOS = ["obama/1.jpg", "obama/2.jpg", "obama/3.jpg", "biden/1.jpg", "biden/2.jpg"]


@pytest.fixture(scope="module")
def identified(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, Path, dict]:
    base = tmp_path_factory.mktemp("annexes")
    evidence = base / "evidence"
    for name in PHOTOS:
        target = evidence / name.replace("/", "_")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(TEST_FACES / name, target)
    before = snapshot(evidence)
    case = Case.create(base / "case", CaseInfo("T-ANNEX", "venue", ["甲", "乙"]))
    acquire(case, [evidence], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    return case, base, before


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_faces_csv_lists_every_face_with_its_person_box_and_distance(identified) -> None:
    case, base, _ = identified
    out = base / "report-plain"
    written = write_person_annexes(case, out, None)
    rows = _rows(out / FACES_NAME)
    assert tuple(rows[0]) == FACES_COLUMNS
    assert len(rows) == case.db.execute("select count(*) from faces").fetchone()[0] == 5
    persons = {}
    for row in rows:
        persons.setdefault(row["person"], set()).add(row["locator"].split("_")[0].split("/")[-1])
        assert row["evidence_no"] and row["space"] == "dlib-resnet-v1-128"
        assert len(row["box_top_right_bottom_left"].split()) == 4
        assert 0.0 <= float(row["distance_to_person_centre"]) < 0.5
    assert sorted(persons.values(), key=sorted) == [{"biden"}, {"obama"}]
    assert FACES_NAME in written
    assert sum(name.startswith(SHEET_PREFIX) for name in written) == 2
    assert all("/" not in name for name in written)  # annexes.sha256 lists plain names


def test_contact_sheets_are_blurred_and_unblurred_ones_only_sealed_on_request(identified) -> None:
    case, base, before = identified
    out = base / "report"
    source = evidence_thumbnail_source(case)
    written = write_person_annexes(case, out, source)
    assert not (out / "sealed").exists()
    sealed = base / "report-sealed"
    write_person_annexes(case, sealed, source, sealed=True)
    blurred = sorted(sealed.glob(f"{SHEET_PREFIX}*.png"))
    clear = sorted((sealed / "sealed").glob(f"{SHEET_PREFIX}*.png"))
    assert [p.name for p in blurred] == [p.name for p in clear] and len(clear) == 2
    first_tile = (4, 4, 4 + TILE, 4 + TILE)
    for soft, sharp in zip(blurred, clear, strict=True):
        soft_tile = Image.open(soft).crop(first_tile)
        sharp_tile = Image.open(sharp).crop(first_tile)
        assert high_frequency_energy(soft_tile) < 0.2 * high_frequency_energy(sharp_tile)
    listed = (sealed / "sealed" / "sealed.sha256").read_text(encoding="utf-8").splitlines()
    for line in listed:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((sealed / "sealed" / name).read_bytes()).hexdigest() == digest
    obama_sheet = Image.open(io.BytesIO(written[min(written)].read_bytes()))
    assert obama_sheet.width > 0
    assert snapshot(base / "evidence") == before


def test_report_command_writes_sealed_contact_sheets_only_when_asked(identified) -> None:
    from typer.testing import CliRunner

    from venue_audit.assess import assess_case
    from venue_audit.cli import app

    case, base, before = identified
    assess_case(case, None, as_of="2024-06-30")
    runner = CliRunner()
    plain = base / "cli-plain" / "report.pdf"
    made = runner.invoke(app, ["report", str(case.directory), "--out", str(plain), "--json"])
    assert made.exit_code == 0, made.output
    assert not (plain.parent / "sealed").exists()
    assert json.loads(made.stdout)["sealed_contact_sheets"] is None

    sealed_pdf = base / "cli-sealed" / "report.pdf"
    made = runner.invoke(
        app,
        ["report", str(case.directory), "--out", str(sealed_pdf), "--sealed-contact-sheets"],
    )
    assert made.exit_code == 0, made.output
    sealed = sealed_pdf.parent / "sealed"
    assert str(sealed) in made.output.replace("\n", "")
    sheets = sorted(p.name for p in sealed.glob(f"{SHEET_PREFIX}*.png"))
    assert len(sheets) == 2
    listed = (sealed / "sealed.sha256").read_text(encoding="utf-8")
    assert all(name in listed for name in sheets)
    # the report's own hash list never names the sealed folder: it is handed over apart
    assert "sealed" not in (sealed_pdf.parent / "annexes.sha256").read_text(encoding="utf-8")
    assert snapshot(base / "evidence") == before

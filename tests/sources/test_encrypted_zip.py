"""Encrypted zip members: reported without a password, scanned with the right one (AES or ZipCrypto)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import pyzipper

from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan

SERVER_DB = (
    Path(__file__).resolve().parents[2] / "sample_data" / "export" / "server" / "face_capture.db"
)


def _encrypted_backup(root: Path, password: bytes) -> None:
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        crops = [
            row[0] for row in db.execute("select face_img from t_face_capture order by id limit 2")
        ]
    root.mkdir()
    with pyzipper.AESZipFile(
        root / "cloud.zip", "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password)
        for number, crop in enumerate(crops):
            archive.writestr(f"faces/{number}.jpg", crop)


@pytest.mark.parametrize("passwords, records", [((), 0), (("wrong",), 0), (("wrong", "s3cret"), 2)])
def test_aes_members_open_only_with_the_right_password(tmp_path: Path, passwords, records) -> None:
    _encrypted_backup(tmp_path / "evidence", b"s3cret")
    case = Case.create(tmp_path / "case", CaseInfo("Z-1", "venue", ["a", "b"]))
    acquire(case, [tmp_path / "evidence"], workers=1)
    scan(case, ScanOptions(workers=1, zip_passwords=passwords))
    assert count_faces(case).records == records
    reasons = [
        row["reason"] for row in case.db.query("select reason from skipped where stage = 'scan'")
    ]
    assert len(reasons) == 2 - records
    assert all("encrypted" in reason for reason in reasons)
    assert "s3cret" not in str(case.custody_events())


def test_the_scan_command_reads_passwords_from_a_file_and_never_logs_them(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from venue_audit.cli import app

    _encrypted_backup(tmp_path / "evidence", b"s3cret")
    case = Case.create(tmp_path / "case", CaseInfo("Z-2", "venue", ["a", "b"]))
    acquire(case, [tmp_path / "evidence"], workers=1)
    secrets = tmp_path / "passwords.txt"
    secrets.write_text("nope\ns3cret\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "scan",
            str(case.directory),
            "--workers",
            "1",
            "--quiet",
            "--zip-password-file",
            str(secrets),
        ],
    )
    assert result.exit_code == 0, result.output
    assert count_faces(case).records == 2
    assert "s3cret" not in str(case.custody_events())

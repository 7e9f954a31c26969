"""The examiner's own inputs must be regular files: a FIFO, a device or a folder is refused.

The hostile run: ``consent CASE x.csv`` with ``x.csv`` a FIFO blocked forever.
Each input the tool opens that is not evidence (consent register, policy,
zip password file, PKCS#12 certificate) is now refused with exit 2 and a
message naming what it is, before any work and without blocking.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from venue_audit.case import Case, CaseInfo
from venue_audit.cli import app
from venue_audit.user_files import InputFileError, read_password_file, read_user_file

runner = CliRunner()


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "x.csv"
    os.mkfifo(path)
    return path


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    Case.create(tmp_path / "case", CaseInfo("T", "V", ["甲", "乙"])).close()
    return tmp_path / "case"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.timeout(60)
def test_a_fifo_as_consent_register_is_refused_without_blocking(
    case_dir: Path, fifo: Path
) -> None:
    code, output = run("consent", str(case_dir), str(fifo))
    assert code == 2, output
    assert "consent register" in output and "FIFO" in output
    assert [e["action"] for e in Case(case_dir).custody_events()] == ["case.new"]


@pytest.mark.timeout(60)
def test_a_fifo_or_a_folder_as_policy_is_refused(case_dir: Path, fifo: Path, tmp_path: Path) -> None:
    for policy, kind in ((fifo, "FIFO"), (tmp_path, "folder")):
        code, output = run("consent", str(case_dir), "--policy", str(policy))
        assert code == 2 and "policy file" in output and kind in output, output


@pytest.mark.timeout(60)
def test_a_device_or_fifo_as_password_file_is_refused(
    case_dir: Path, fifo: Path, tmp_path: Path
) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "a.txt").write_text("x")
    assert run("acquire", str(case_dir), str(tmp_path / "export"), "-q")[0] == 0
    for source, kind in ((Path("/dev/zero"), "character device"), (fifo, "FIFO")):
        code, output = run("scan", str(case_dir), "--zip-password-file", str(source), "-q")
        assert code == 2 and "password file" in output and kind in output, output
    assert "scan.start" not in [e["action"] for e in Case(case_dir).custody_events()]


@pytest.mark.timeout(60)
def test_a_folder_or_fifo_as_signing_certificate_is_refused(tmp_path: Path, fifo: Path) -> None:
    from venue_audit.report.sign import SigningKeyError, load_signer

    for source, kind in ((tmp_path, "folder"), (fifo, "FIFO")):
        with pytest.raises(SigningKeyError, match=kind):
            load_signer(source, b"x")


def test_the_audit_command_refuses_a_fifo_before_creating_the_case(
    tmp_path: Path, fifo: Path
) -> None:
    (tmp_path / "export").mkdir()
    code, output = run(
        "audit",
        str(tmp_path / "export"),
        "--case",
        str(tmp_path / "new-case"),
        "--consent",
        str(fifo),
        "--examiner",
        "甲",
        "--examiner",
        "乙",
    )
    assert code == 2 and "FIFO" in output, output
    assert not (tmp_path / "new-case").exists()


def test_a_regular_file_reads_and_an_oversized_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pw.txt").write_text("first\n\n  second  \n", encoding="utf-8")
    assert read_password_file(tmp_path / "pw.txt") == ("first", "second")
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(InputFileError, match="larger than 100 bytes"):
        read_user_file(tmp_path / "big", "password file", limit=100)
    with pytest.raises(InputFileError, match="No such file"):
        read_user_file(tmp_path / "missing", "password file")
